#include "cast.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <ferry/plugin.hpp>

#include "text/decimal_value.h"
#include "timestamp.h"
#include "value_text.h"

namespace ferry_map {
namespace {

struct TargetName {
  const char* name;
  Target target;
  FerryType type;
};
constexpr TargetName kTargets[] = {
    {"int64", Target::kInt64, FERRY_TYPE_INT64},
    {"double", Target::kDouble, FERRY_TYPE_DOUBLE},
    {"string", Target::kString, FERRY_TYPE_STRING},
    {"bool", Target::kBool, FERRY_TYPE_BOOL},
    {"timestamp", Target::kTimestamp, FERRY_TYPE_TIMESTAMP},
    {"json", Target::kJson, FERRY_TYPE_JSON},
    {"decimal", Target::kDecimal, FERRY_TYPE_DECIMAL},
};

bool is_text(FerryType t) {
  return t == FERRY_TYPE_STRING || t == FERRY_TYPE_DECIMAL || t == FERRY_TYPE_JSON;
}

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

FerryValue of_int(int64_t v) {
  FerryValue x{};
  x.type = FERRY_TYPE_INT64;
  x.as.i64 = v;
  return x;
}
FerryValue of_double(double v) {
  FerryValue x{};
  x.type = FERRY_TYPE_DOUBLE;
  x.as.f64 = v;
  return x;
}
FerryValue of_bool(bool v) {
  FerryValue x{};
  x.type = FERRY_TYPE_BOOL;
  x.as.boolean = v ? 1 : 0;
  return x;
}
FerryValue of_timestamp(int64_t v) {
  FerryValue x{};
  x.type = FERRY_TYPE_TIMESTAMP;
  x.as.i64 = v;
  return x;
}
FerryValue of_text(FerryType t, const std::string& storage) {
  FerryValue x{};
  x.type = t;
  x.as.bytes = ferry::bytes(storage);
  return x;
}

CastResult ok(FerryValue v) { return CastResult{v, {}}; }
CastResult fail(std::string why) { return CastResult{FerryValue{}, std::move(why)}; }
CastResult unsupported(const FerryValue& v, Target t) {
  return fail(std::string("cannot cast ") + type_name(v.type) + " to " + target_name(t));
}

bool is_decimal_text(std::string_view s) {
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  const size_t dot = s.find('.');
  const std::string_view i = s.substr(0, dot);
  const std::string_view f = dot == std::string_view::npos ? std::string_view("0") : s.substr(dot + 1);
  auto digits = [](std::string_view d) {
    return !d.empty() && d.find_first_not_of("0123456789") == std::string_view::npos;
  };
  return digits(i) && digits(f);
}

CastResult int64_from_text(const FerryValue& v) {
  std::string_view s = trim(ferry::view(v.as.bytes));
  s = ferry::support::without_plus_sign(s);
  int64_t out = 0;
  const std::from_chars_result r = std::from_chars(s.data(), s.data() + s.size(), out);
  if (r.ec == std::errc::result_out_of_range) return fail(display(v) + " is out of range for int64");
  // "12.00" is an integer written as a decimal; "12.5" is not.
  std::string_view rest(r.ptr, static_cast<size_t>(s.data() + s.size() - r.ptr));
  if (!rest.empty() && rest.front() == '.' && rest.size() > 1 &&
      rest.find_first_not_of('0', 1) == std::string_view::npos)
    rest = {};
  if (r.ec != std::errc() || !rest.empty() || s.empty()) return fail(display(v) + " is not an integer");
  return ok(of_int(out));
}

CastResult to_int64(const FerryValue& v) {
  switch (v.type) {
    case FERRY_TYPE_INT64:
    case FERRY_TYPE_TIMESTAMP: return ok(of_int(v.as.i64));
    case FERRY_TYPE_BOOL: return ok(of_int(v.as.boolean ? 1 : 0));
    case FERRY_TYPE_DOUBLE: {
      const double d = v.as.f64;
      if (!std::isfinite(d) || d != std::trunc(d)) return fail(display(v) + " is not an integer");
      // 2^63 is exactly representable; INT64_MAX is not.
      if (d < -9223372036854775808.0 || d >= 9223372036854775808.0)
        return fail(display(v) + " is out of range for int64");
      return ok(of_int(static_cast<int64_t>(d)));
    }
    default:
      if (is_text(v.type)) return int64_from_text(v);
      return unsupported(v, Target::kInt64);
  }
}

CastResult to_double(const FerryValue& v) {
  switch (v.type) {
    case FERRY_TYPE_DOUBLE: return ok(v);
    case FERRY_TYPE_INT64: {
      // 2^63 is a double; INT64_MAX rounds up to it.
      const double d = static_cast<double>(v.as.i64);
      if (d >= 9223372036854775808.0 || static_cast<int64_t>(d) != v.as.i64)
        return fail(display(v) + " has no exact double");
      return ok(of_double(d));
    }
    case FERRY_TYPE_BOOL: return ok(of_double(v.as.boolean ? 1 : 0));
    default: break;
  }
  if (!is_text(v.type)) return unsupported(v, Target::kDouble);
  std::string_view s = trim(ferry::view(v.as.bytes));
  s = ferry::support::without_plus_sign(s);
  double out = 0;
  const std::from_chars_result r = std::from_chars(s.data(), s.data() + s.size(), out);
  if (r.ec == std::errc::result_out_of_range) return fail(display(v) + " is out of range for double");
  // from_chars reads "inf" and "nan", which no sink or JSON can carry.
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty() || !std::isfinite(out))
    return fail(display(v) + " is not a number");
  if (!ferry::support::double_is_exact(out, s)) return fail(display(v) + " has no exact double");
  return ok(of_double(out));
}

CastResult to_string(const FerryValue& v, std::string& storage) {
  std::string why = text_of(v, storage);
  if (!why.empty()) return fail(why);
  return ok(of_text(FERRY_TYPE_STRING, storage));
}

CastResult to_bool(const FerryValue& v) {
  switch (v.type) {
    case FERRY_TYPE_BOOL: return ok(v);
    case FERRY_TYPE_INT64:
      if (v.as.i64 == 0 || v.as.i64 == 1) return ok(of_bool(v.as.i64 == 1));
      return fail(display(v) + " is not a boolean (0 or 1)");
    case FERRY_TYPE_DOUBLE:
      if (v.as.f64 == 0 || v.as.f64 == 1) return ok(of_bool(v.as.f64 == 1));
      return fail(display(v) + " is not a boolean (0 or 1)");
    default: break;
  }
  if (!is_text(v.type)) return unsupported(v, Target::kBool);
  std::string s(trim(ferry::view(v.as.bytes)));
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (s == "true" || s == "1") return ok(of_bool(true));
  if (s == "false" || s == "0") return ok(of_bool(false));
  return fail(display(v) + " is not a boolean (true, false, 1 or 0)");
}

CastResult to_timestamp(const FerryValue& v) {
  switch (v.type) {
    case FERRY_TYPE_TIMESTAMP: return ok(v);
    case FERRY_TYPE_INT64: return ok(of_timestamp(v.as.i64));  // microseconds since 1970 UTC
    case FERRY_TYPE_STRING: break;
    default: return unsupported(v, Target::kTimestamp);
  }
  const std::optional<int64_t> micros = parse_timestamp(trim(ferry::view(v.as.bytes)));
  if (!micros) return fail(display(v) + " is not an ISO-8601 timestamp with a UTC offset");
  return ok(of_timestamp(*micros));
}

CastResult to_json(const FerryValue& v, std::string& storage) {
  switch (v.type) {
    case FERRY_TYPE_JSON: return ok(v);
    case FERRY_TYPE_BOOL:
    case FERRY_TYPE_INT64:
      text_of(v, storage);
      return ok(of_text(FERRY_TYPE_JSON, storage));
    case FERRY_TYPE_DOUBLE:
      if (!std::isfinite(v.as.f64)) return fail(display(v) + " has no JSON form");
      storage = double_text(v.as.f64);
      return ok(of_text(FERRY_TYPE_JSON, storage));
    case FERRY_TYPE_TIMESTAMP:
      storage = boost::json::serialize(boost::json::string(format_timestamp(v.as.i64)));
      return ok(of_text(FERRY_TYPE_JSON, storage));
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_DECIMAL: break;
    default: return unsupported(v, Target::kJson);
  }
  // Casting text to json parses it, as SQL's '...'::json does; it does not
  // wrap the text in quotes.
  const std::string_view s = ferry::view(v.as.bytes);
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(boost::json::string_view(s.data(), s.size()), ec);
  if (ec) return fail(display(v) + " is not valid JSON");
  if (v.type == FERRY_TYPE_DECIMAL && !parsed.is_number()) return fail(display(v) + " is not valid JSON");
  return ok(of_text(FERRY_TYPE_JSON, storage = std::string(s)));
}

CastResult to_decimal(const FerryValue& v, std::string& storage) {
  switch (v.type) {
    case FERRY_TYPE_DECIMAL: return ok(v);
    case FERRY_TYPE_INT64:
      storage = std::to_string(v.as.i64);
      return ok(of_text(FERRY_TYPE_DECIMAL, storage));
    case FERRY_TYPE_DOUBLE: {
      // Plain digits of the shortest round-trip digits: 0.1 -> "0.1", 1e23
      // -> "100000000000000000000000", never the binary value's expansion
      // (0.1000000000000000055511151231257827, 99999999999999991611392).
      const std::optional<ferry::support::DecimalValue> value = ferry::support::decimal_value(v.as.f64);
      if (!value) return fail(display(v) + " is not a decimal");
      storage = ferry::support::plain_text(*value);
      return ok(of_text(FERRY_TYPE_DECIMAL, storage));
    }
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_JSON: break;
    default: return unsupported(v, Target::kDecimal);
  }
  std::string_view s = trim(ferry::view(v.as.bytes));
  if (!is_decimal_text(s)) return fail(display(v) + " is not a decimal");
  s = ferry::support::without_plus_sign(s);
  storage = std::string(s);
  return ok(of_text(FERRY_TYPE_DECIMAL, storage));
}

}  // namespace

std::optional<Target> target_named(std::string_view name) {
  for (const TargetName& t : kTargets)
    if (name == t.name) return t.target;
  return std::nullopt;
}

const char* target_name(Target t) {
  for (const TargetName& n : kTargets)
    if (n.target == t) return n.name;
  return "?";
}

FerryType target_type(Target t) {
  for (const TargetName& n : kTargets)
    if (n.target == t) return n.type;
  return FERRY_TYPE_NULL;
}

const char* target_list() { return "int64, double, string, bool, timestamp, json, decimal"; }

CastResult cast_value(const FerryValue& v, Target target, std::string& storage) {
  if (v.type == FERRY_TYPE_NULL) return ok(v);
  switch (target) {
    case Target::kInt64: return to_int64(v);
    case Target::kDouble: return to_double(v);
    case Target::kString: return to_string(v, storage);
    case Target::kBool: return to_bool(v);
    case Target::kTimestamp: return to_timestamp(v);
    case Target::kJson: return to_json(v, storage);
    case Target::kDecimal: return to_decimal(v, storage);
  }
  return unsupported(v, target);
}

}  // namespace ferry_map
