#include "rules.h"

#include "wide_text.h"

#include <cmath>

#include <boost/json.hpp>
#include <ferry/plugin.hpp>
#include <options/option_reader.h>
#include <string>

namespace ferry_validate {
namespace {

namespace json = boost::json;

[[noreturn]] void fail(const std::string& message) {
  throw ferry::Error(FERRY_ERROR_CONFIG, "validate: " + message);
}

[[noreturn]] void fail_rule(std::string_view rule, const std::string& field, const std::string& what) {
  fail("rule '" + std::string(rule) + "' of field '" + field + "' " + what);
}

struct TypeName {
  const char* name;
  TypeRule type;
};
constexpr TypeName kTypes[] = {
    {"int64", TypeRule::kInt64},   {"double", TypeRule::kDouble},
    {"number", TypeRule::kNumber}, {"string", TypeRule::kString},
    {"bool", TypeRule::kBool},     {"timestamp", TypeRule::kTimestamp},
    {"json", TypeRule::kJson},     {"bytes", TypeRule::kBytes},
    {"decimal", TypeRule::kDecimal},
};
constexpr const char* kTypeList =
    "int64, double, number, string, bool, timestamp, json, bytes, decimal";
constexpr const char* kRuleList =
    "required, type, min, max, min_length, max_length, pattern, allowed";

// libstdc++'s regex_error::what() is not stable text; name the problem ourselves.
const char* regex_problem(std::regex_constants::error_type code) {
  namespace rc = std::regex_constants;
  switch (code) {
    case rc::error_collate: return "invalid collating element";
    case rc::error_ctype: return "invalid character class";
    case rc::error_escape: return "invalid escape";
    case rc::error_backref: return "invalid back reference";
    case rc::error_brack: return "unbalanced [ ]";
    case rc::error_paren: return "unbalanced ( )";
    case rc::error_brace: return "unbalanced { }";
    case rc::error_badbrace: return "invalid repetition count in { }";
    case rc::error_range: return "invalid character range";
    case rc::error_space: return "out of memory";
    case rc::error_badrepeat: return "nothing to repeat before *, +, ? or {";
    case rc::error_complexity: return "back references are not supported";
    case rc::error_stack: return "too complex";
    default: return "invalid";
  }
}

// An integral JSON number beyond 2^53 had its digits rounded before the
// plugin saw it: comparing with it would compare with another number.
void refuse_rounded(double x, std::string_view rule, const std::string& field, const char* advice) {
  if (std::fabs(x) > 9007199254740992.0 && x == std::trunc(x))
    fail("rule '" + std::string(rule) + "' of field '" + field + "': a number beyond 2^53 (read as " +
         double_text(x) + ") is not kept exactly; " + advice);
}

Bound read_bound(const json::value& v, std::string_view rule, const std::string& field) {
  std::optional<Decimal> d;
  std::string text;
  if (v.is_int64()) {
    d = decimal_of(v.as_int64());
    text = std::to_string(v.as_int64());
  } else if (v.is_uint64()) {
    d = parse_decimal(std::to_string(v.as_uint64()));
    text = std::to_string(v.as_uint64());
  } else if (v.is_double()) {
    const double x = v.as_double();
    refuse_rounded(x, rule, field, "write the bound as a string");  // "max": "123456789012345678901234567889"
    d = decimal_of(x);
    text = double_text(x);
  } else if (v.is_string()) {
    text = std::string(v.as_string());
    d = parse_decimal(text);
  }
  if (!d) fail_rule(rule, field, "must be a number, or a decimal written as a string");
  return Bound{*d, text};
}

uint64_t read_length(const json::value& v, std::string_view rule, const std::string& field) {
  if (v.is_int64() && v.as_int64() >= 0) return static_cast<uint64_t>(v.as_int64());
  if (v.is_uint64()) return v.as_uint64();
  fail_rule(rule, field, "must be a non-negative integer");
}

TypeRule read_type(const json::value& v, const std::string& field) {
  if (v.is_string()) {
    for (const TypeName& t : kTypes)
      if (v.as_string() == t.name) return t.type;
  }
  fail_rule("type", field,
            std::string("must be one of ") + kTypeList + "; got " + json::serialize(v));
}

// libstdc++'s default matcher backtracks recursively: a 20,000-character
// value overflows an 8 MiB stack and takes the whole process down (and
// "(a+)+b" takes exponential time). Its polynomial mode matches breadth-first
// with bounded recursion, at the price of refusing back references.
#if defined(__GLIBCXX__)
constexpr std::wregex::flag_type kRegexFlags = std::regex::ECMAScript | std::regex_constants::__polynomial;
#else
constexpr std::wregex::flag_type kRegexFlags = std::regex::ECMAScript;
#endif

std::wregex read_pattern(const json::value& v, const std::string& field) {
  if (!v.is_string()) fail_rule("pattern", field, "must be a string");
  std::wstring wide;
  if (!to_code_points(std::string_view(v.as_string().data(), v.as_string().size()), wide))
    fail_rule("pattern", field, "is not valid UTF-8");
  try {
    std::wregex re;
    re.imbue(pattern_locale());
    re.assign(wide, kRegexFlags);
    return re;
  } catch (const std::regex_error& e) {
    fail_rule("pattern", field,
              std::string("is not a valid regular expression: ") + regex_problem(e.code()));
  }
}

// Numbers as the user wrote them: Boost.JSON would print 2.0 as "2E0".
std::string element_text(const json::value& e) {
  if (e.is_double()) return double_text(e.as_double());
  return json::serialize(e);
}

std::vector<AllowedValue> read_allowed(const json::value& v, const std::string& field,
                                       std::string* text) {
  if (!v.is_array()) fail_rule("allowed", field, "must be an array");
  std::vector<AllowedValue> out;
  *text = "[";
  for (const json::value& e : v.as_array()) {
    AllowedValue a{e, std::nullopt};
    if (e.is_int64()) a.number = decimal_of(e.as_int64());
    if (e.is_uint64()) a.number = parse_decimal(std::to_string(e.as_uint64()));
    if (e.is_double()) {
      refuse_rounded(e.as_double(), "allowed", field,
                     "write the value as a string and cast the field to string (map transform) to compare it");
      a.number = decimal_of(e.as_double());
    }
    out.push_back(std::move(a));
    *text += (text->size() > 1 ? "," : "") + element_text(e);
  }
  *text += "]";
  return out;
}

FieldRules read_field(const std::string& field, const json::value& v) {
  if (!v.is_object()) fail("rules of field '" + field + "' must be an object");
  FieldRules r;
  r.field = field;
  for (const json::key_value_pair& kv : v.as_object()) {
    const std::string_view rule(kv.key().data(), kv.key().size());
    const json::value& x = kv.value();
    if (rule == "required") {
      if (!x.is_bool()) fail_rule(rule, field, "must be a boolean");
      r.required = x.as_bool();
    } else if (rule == "type") {
      r.type = read_type(x, field);
    } else if (rule == "min") {
      r.min = read_bound(x, rule, field);
    } else if (rule == "max") {
      r.max = read_bound(x, rule, field);
    } else if (rule == "min_length") {
      r.min_length = read_length(x, rule, field);
    } else if (rule == "max_length") {
      r.max_length = read_length(x, rule, field);
    } else if (rule == "pattern") {
      r.pattern = read_pattern(x, field);
      r.pattern_text = std::string(x.as_string());
    } else if (rule == "allowed") {
      r.allowed = read_allowed(x, field, &r.allowed_text);
    } else {
      fail("field '" + field + "' has unknown rule '" + std::string(rule) + "' (known: " +
           kRuleList + ")");
    }
  }
  // A contradiction would reject every row; say so before any data moves.
  if (r.min && r.max && compare(r.min->value, r.max->value) > 0)
    fail("rules of field '" + field + "' have min " + r.min->text + " greater than max " + r.max->text);
  if (r.min_length && r.max_length && *r.min_length > *r.max_length)
    fail("rules of field '" + field + "' have min_length " + std::to_string(*r.min_length) +
         " greater than max_length " + std::to_string(*r.max_length));
  return r;
}

}  // namespace

const char* type_rule_name(TypeRule t) {
  for (const TypeName& n : kTypes)
    if (n.type == t) return n.name;
  return "?";
}

Rules parse_rules(const ferry::Context& ctx) {
  const ferry::support::OptionReader in(ctx, "validate");
  Rules rules;
  const json::value fields = in.json("rules");
  if (!fields.is_object()) fail("option 'rules' is required");
  for (const json::key_value_pair& f : fields.get_object())
    rules.fields.push_back(read_field(std::string(f.key()), f.value()));
  rules.on_unknown_field = in.choice("on_unknown_field", {{"pass", UnknownFields::kPass}, {"reject", UnknownFields::kReject}},
                                     rules.on_unknown_field);
  return rules;
}

}  // namespace ferry_validate
