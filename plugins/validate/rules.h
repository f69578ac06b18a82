// The declarative rules of the validate transform, from its typed options.
#ifndef FERRY_PLUGINS_VALIDATE_RULES_H_
#define FERRY_PLUGINS_VALIDATE_RULES_H_

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "number.h"

namespace ferry {
class Context;
}

namespace ferry_validate {

// What rule 'type' accepts. kNumber accepts int64 and double values.
enum class TypeRule { kInt64, kDouble, kNumber, kString, kBool, kTimestamp, kJson, kBytes, kDecimal };

// A min/max bound: the exact number to compare with, and how the config wrote it.
struct Bound {
  Decimal value;
  std::string text;
};

// One element of rule 'allowed'; numbers are pre-parsed so rows compare exactly.
struct AllowedValue {
  boost::json::value json;
  std::optional<Decimal> number;
};

struct FieldRules {
  std::string field;
  bool required = false;
  std::optional<TypeRule> type;
  std::optional<Bound> min;
  std::optional<Bound> max;
  std::optional<uint64_t> min_length;
  std::optional<uint64_t> max_length;
  // Compiled once here: compiling per row would dominate the run. Over
  // code points (wide_text.h), so it matches characters.
  std::optional<std::wregex> pattern;
  std::string pattern_text;
  std::optional<std::vector<AllowedValue>> allowed;
  std::string allowed_text;  // the list as JSON, for messages
};

enum class UnknownFields { kPass, kReject };

struct Rules {
  std::vector<FieldRules> fields;  // in config order: violations are listed in it
  UnknownFields on_unknown_field = UnknownFields::kPass;
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the option, field and rule.
Rules parse_rules(const ferry::Context& ctx);

const char* type_rule_name(TypeRule t);

}  // namespace ferry_validate

#endif  // FERRY_PLUGINS_VALIDATE_RULES_H_
