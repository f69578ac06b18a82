#include "check.h"

#include "wide_text.h"

#include <boost/json.hpp>
#include <ferry/plugin.hpp>

#include "number.h"
#include "value_text.h"
#include "text/json_exact.h"

namespace ferry_validate {
namespace {

bool type_matches(TypeRule rule, FerryType t) {
  switch (rule) {
    case TypeRule::kInt64: return t == FERRY_TYPE_INT64;
    case TypeRule::kDouble: return t == FERRY_TYPE_DOUBLE;
    case TypeRule::kNumber: return t == FERRY_TYPE_INT64 || t == FERRY_TYPE_DOUBLE;
    case TypeRule::kString: return t == FERRY_TYPE_STRING;
    case TypeRule::kBool: return t == FERRY_TYPE_BOOL;
    case TypeRule::kTimestamp: return t == FERRY_TYPE_TIMESTAMP;
    case TypeRule::kJson: return t == FERRY_TYPE_JSON;
    case TypeRule::kBytes: return t == FERRY_TYPE_BYTES;
    case TypeRule::kDecimal: return t == FERRY_TYPE_DECIMAL;
  }
  return false;
}

std::optional<Decimal> number_of(const FerryValue& v) {
  switch (v.type) {
    case FERRY_TYPE_INT64: return decimal_of(v.as.i64);
    case FERRY_TYPE_DOUBLE: return decimal_of(v.as.f64);
    case FERRY_TYPE_DECIMAL: return parse_decimal(ferry::view(v.as.bytes));
    default: return std::nullopt;
  }
}

// Why a value has no number, for the message.
std::string not_a_number(const FerryValue& v) {
  if (v.type == FERRY_TYPE_DOUBLE) return "nan is not comparable";
  if (v.type == FERRY_TYPE_DECIMAL) return "decimal " + display(v) + " is not a number";
  return std::string(type_name(v.type)) + " is not a number";
}

bool is_text(const FerryValue& v) { return v.type == FERRY_TYPE_STRING || v.type == FERRY_TYPE_BYTES; }

// Strings count characters, bytes count bytes.
size_t length_of(const FerryValue& v) {
  const std::string_view s = ferry::view(v.as.bytes);
  return v.type == FERRY_TYPE_STRING ? utf8_length(s) : s.size();
}

// `json`: a JSON value's text parsed once for the whole list (null when it
// is not JSON).
bool allowed_match(const AllowedValue& a, const FerryValue& v, const std::optional<Decimal>& number,
                   const std::optional<boost::json::value>& json) {
  switch (v.type) {
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_BYTES:
      return a.json.is_string() && a.json.as_string() == ferry::view(v.as.bytes);
    case FERRY_TYPE_BOOL:
      return a.json.is_bool() && a.json.as_bool() == (v.as.boolean != 0);
    case FERRY_TYPE_INT64:
    case FERRY_TYPE_DOUBLE:
    case FERRY_TYPE_DECIMAL:
    case FERRY_TYPE_TIMESTAMP:  // microseconds since 1970 UTC
      return number && a.number && compare(*number, *a.number) == 0;
    case FERRY_TYPE_JSON:
      return json && *json == a.json;
    default:
      return false;
  }
}

}  // namespace

void check_field(const FieldRules& r, const FerryValue* value, std::vector<std::string>& out) {
  auto broke = [&](const char* rule, const std::string& why) {
    out.push_back("field '" + r.field + "' breaks rule '" + rule + "': " + why);
  };
  if (value == nullptr || value->type == FERRY_TYPE_NULL) {
    if (r.required) broke("required", value == nullptr ? "missing" : "null");
    return;
  }
  const FerryValue& v = *value;
  if (r.type && !type_matches(*r.type, v.type)) {
    broke("type", std::string("expected ") + type_rule_name(*r.type) + ", got " + type_name(v.type));
    return;
  }

  // Only rules that compare numbers pay for turning the value into one.
  std::optional<Decimal> number;
  if (r.min || r.max || r.allowed) number = number_of(v);
  if (r.min || r.max) {
    if (!number) {
      broke(r.min ? "min" : "max", not_a_number(v));
    } else {
      if (r.min && compare(*number, r.min->value) < 0) broke("min", display(v) + " < " + r.min->text);
      if (r.max && compare(*number, r.max->value) > 0) broke("max", display(v) + " > " + r.max->text);
    }
  }

  if (r.min_length || r.max_length) {
    if (!is_text(v)) {
      broke(r.min_length ? "min_length" : "max_length", std::string(type_name(v.type)) + " has no length");
    } else {
      const size_t length = length_of(v);
      if (r.min_length && length < *r.min_length)
        broke("min_length", "length " + std::to_string(length) + " < " + std::to_string(*r.min_length));
      if (r.max_length && length > *r.max_length)
        broke("max_length", "length " + std::to_string(length) + " > " + std::to_string(*r.max_length));
    }
  }

  if (r.pattern) {
    if (v.type != FERRY_TYPE_STRING) {
      broke("pattern", std::string(type_name(v.type)) + " is not a string");
    } else {
      // The value is not echoed: patterns usually guard personal data (emails, ids).
      thread_local std::wstring wide;  // keeps its capacity from row to row
      if (!to_code_points(ferry::view(v.as.bytes), wide))
        broke("pattern", "value is not valid UTF-8");
      else if (!std::regex_search(wide, *r.pattern))
        broke("pattern", "value does not match " + r.pattern_text);
    }
  }

  if (r.allowed) {
    bool found = false;
    // 'allowed' also compares timestamps, as microseconds; min/max do not.
    if (v.type == FERRY_TYPE_TIMESTAMP) number = decimal_of(v.as.i64);
    std::optional<boost::json::value> json;
    if (v.type == FERRY_TYPE_JSON) {
      boost::system::error_code ec;
      boost::json::value parsed = ferry::support::parse_json_exact(ferry::view(v.as.bytes), ec);
      if (!ec) json = std::move(parsed);
    }
    for (const AllowedValue& a : *r.allowed)
      if ((found = allowed_match(a, v, number, json))) break;
    // A timestamp reads as its time and as the microseconds the list holds.
    const std::string shown =
        v.type == FERRY_TYPE_TIMESTAMP ? display(v) + " (" + std::to_string(v.as.i64) + ")" : display(v);
    if (!found) broke("allowed", shown + " is not one of " + r.allowed_text);
  }
}

}  // namespace ferry_validate
