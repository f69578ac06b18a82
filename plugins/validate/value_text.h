// How values appear in rejection messages.
#ifndef FERRY_PLUGINS_VALIDATE_VALUE_TEXT_H_
#define FERRY_PLUGINS_VALIDATE_VALUE_TEXT_H_

#include <ferry/plugin.h>

#include <ferry/plugin.hpp>

#include <string>
#include <string_view>

#include "text/value_text.h"

namespace ferry_validate {

// "int64", "string", ... ; "null" for nulls (SDK).
using ferry::type_name;

// How a value reads in a rejection message (support/text).
inline std::string display(const FerryValue& v) { return ferry::support::display_value(v); }

// Code points of UTF-8 text (continuation bytes are not counted).
size_t utf8_length(std::string_view s);

}  // namespace ferry_validate

#endif  // FERRY_PLUGINS_VALIDATE_VALUE_TEXT_H_
