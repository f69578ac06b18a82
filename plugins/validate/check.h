// Checking one value against the rules of its field.
#ifndef FERRY_PLUGINS_VALIDATE_CHECK_H_
#define FERRY_PLUGINS_VALIDATE_CHECK_H_

#include <ferry/plugin.h>

#include <string>
#include <vector>

#include "rules.h"

namespace ferry_validate {

// Appends one message per broken rule, in the fixed order required, type,
// min, max, min_length, max_length, pattern, allowed. `value` is nullptr when
// the batch has no such field. Null or missing values break only 'required';
// a broken 'type' skips the other rules, which assume the type.
void check_field(const FieldRules& rules, const FerryValue* value, std::vector<std::string>& out);

}  // namespace ferry_validate

#endif  // FERRY_PLUGINS_VALIDATE_CHECK_H_
