#include "sql/row_checks.h"

#include "sql/sql_identifier.h"
#include "text/decimal_value.h"
#include "text/json_exact.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace ferry::support {

std::optional<std::string> refused_op(FerryOp op, bool upsert) {
  if (op != FERRY_OP_INSERT && op != FERRY_OP_UPDATE && op != FERRY_OP_DELETE)
    return "unknown record op " + std::to_string(op);
  if (op == FERRY_OP_DELETE && !upsert) return std::string("delete not supported in append mode");
  return std::nullopt;
}

std::optional<std::string> null_key(const ferry::BatchView& batch, size_t row, const std::vector<size_t>& key_fields,
                                    char quote) {
  for (size_t k : key_fields)
    if (batch.value(row, k).type == FERRY_TYPE_NULL)
      return "key column " + quote_identifier(batch.field_name(k), quote) + " is null";
  return std::nullopt;
}

namespace {

constexpr int kFitsAnyScale = std::numeric_limits<int>::min();

// The places a decimal number needs after the point: "12.340" -> 2, "12" ->
// 0, "1200" -> -2 (a multiple of 100), "1.5e2" -> -1, zero -> kFitsAnyScale.
// nullopt for text that is not [+-]digits[.digits][e[+-]digits].
std::optional<int> decimal_places(std::string_view s) {
  // The servers read numbers with blanks around them.
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  const size_t int_begin = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  const std::string_view int_part = s.substr(int_begin, i - int_begin);
  std::string_view frac_part;
  if (i < s.size() && s[i] == '.') {
    const size_t frac_begin = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    frac_part = s.substr(frac_begin, i - frac_begin);
  }
  if (int_part.empty() && frac_part.empty()) return std::nullopt;
  long exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && s[i] == '+') ++i;
    const auto r = std::from_chars(s.data() + i, s.data() + s.size(), exponent);
    if (r.ec != std::errc() || r.ptr == s.data() + i) return std::nullopt;
    i = static_cast<size_t>(r.ptr - s.data());
  }
  if (i != s.size() || exponent > 100000 || exponent < -100000) return std::nullopt;
  while (!frac_part.empty() && frac_part.back() == '0') frac_part.remove_suffix(1);
  long places = 0;
  if (!frac_part.empty()) {
    places = static_cast<long>(frac_part.size());
  } else {
    size_t zeros = 0;
    while (zeros < int_part.size() && int_part[int_part.size() - 1 - zeros] == '0') ++zeros;
    if (zeros == int_part.size()) return kFitsAnyScale;  // zero
    places = -static_cast<long>(zeros);
  }
  return static_cast<int>(places - exponent);
}

bool is_era(std::string_view s) { return s == "BC" || s == "AD" || s == "bc" || s == "ad"; }

// The server's special date/time values that carry no zone.
bool is_special_time(std::string_view s) {
  for (const char* special : {"infinity", "-infinity", "+infinity", "epoch", "Infinity", "-Infinity"})
    if (s == special) return true;
  return false;
}

// What date/time text holds, as far as its plain ISO-8601 forms tell:
// "YYYY-MM-DD", "YYYY-MM-DD[ Tt]HH:MM[:SS[.f]]" or "HH:MM[:SS[.f]]", each
// perhaps followed by a zone. `plain` is false for any other form.
struct TimeText {
  bool plain = false;
  bool time_of_day = false;  // a time other than midnight
  std::string_view zone;     // what follows the time; empty for none, UTC's, or an era
};

TimeText read_time_text(std::string_view s) {
  TimeText t;
  const auto digits = [&](size_t from, size_t n) {
    if (s.size() < from + n) return false;
    for (size_t k = from; k < from + n; ++k)
      if (s[k] < '0' || s[k] > '9') return false;
    return true;
  };
  size_t i = 0;
  if (digits(0, 4) && s.size() >= 10 && s[4] == '-' && digits(5, 2) && s[7] == '-' && digits(8, 2)) {
    i = 10;
    std::string_view after = s.substr(i);
    while (!after.empty() && after.front() == ' ') after.remove_prefix(1);
    if (after.empty() || is_era(after)) {  // "2024-01-01", "0044-03-15 BC"
      t.plain = true;
      return t;
    }
    if (s[i] != ' ' && s[i] != 'T' && s[i] != 't') return t;
    ++i;
  }
  if (!digits(i, 2) || s.size() < i + 5 || s[i + 2] != ':' || !digits(i + 3, 2)) return t;
  const size_t time_begin = i;
  i += 5;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == ':' || s[i] == '.')) ++i;
  for (size_t k = time_begin; k < i; ++k)
    if (s[k] >= '1' && s[k] <= '9') t.time_of_day = true;
  while (i < s.size() && s[i] == ' ') ++i;
  std::string_view rest = s.substr(i);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  t.plain = true;
  // "10:00 PM": a half of the day, not a zone.
  for (const char* half : {"AM", "PM", "am", "pm"})
    if (rest.substr(0, 2) == half && (rest.size() == 2 || rest[2] == ' ')) {
      rest.remove_prefix(2);
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      break;
    }
  // An era, or UTC itself: a column without a zone reads the same time.
  if (rest.empty() || is_era(rest)) return t;
  for (const char* same : {"Z", "z", "+00", "-00", "+00:00", "-00:00", "+0000", "-0000", "UTC", "GMT"})
    if (rest == same) return t;
  t.zone = rest;
  return t;
}

// Text not in a plain form that may carry a zone or a time: a letter, a
// '+', or a '-' after a ':' ("Jan 1 10:00 2024 PST", "20240101T1000+02").
bool may_hide_a_zone(std::string_view s) {
  bool after_colon = false;
  for (const char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '+') return true;
    if (c == ':') after_colon = true;
    if (c == '-' && after_colon) return true;
  }
  return false;
}

std::string field_named(std::string_view field, char quote) { return "field " + quote_identifier(field, quote); }

// The fraction digits of the seconds in date/time text ("10:00:00.250" ->
// "25"), whatever form surrounds them; trailing zeros say nothing. Besides
// "...:SS.f", MariaDB takes (and cuts to its column's digits without a
// warning) compact "[YY]YYMMDDhhmmss.f" and "hhmmss.f", other delimiters
// ("10.00.00.f"), and bare seconds or "mmss.f".
std::string_view seconds_fraction(std::string_view s) {
  const auto digit = [&](size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
  const auto fraction_at = [&](size_t k) {  // s[k] is the '.'
    size_t end = k + 1;
    while (digit(end)) ++end;
    std::string_view fraction = s.substr(k + 1, end - (k + 1));
    while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
    return fraction;
  };
  for (size_t k = 0; k + 3 < s.size(); ++k)
    if (s[k] == ':' && digit(k + 1) && digit(k + 2) && s[k + 3] == '.') return fraction_at(k + 3);
  const size_t dot = s.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || !digit(dot - 1) || !digit(dot + 1)) return {};
  size_t end = dot + 1;
  while (digit(end)) ++end;
  if (end < s.size() && s[end] == '.') return {};
  size_t begin = dot;
  while (begin > 0 && digit(begin - 1)) --begin;
  const size_t run = dot - begin;
  const bool bare = begin == 0 && end == s.size();
  // hh?mm?ss.f, "?" any delimiter but a digit or a space
  const auto delimiter = [&](size_t k) { return s[k] != ' ' && !digit(k); };
  const bool delimited = run == 2 && begin >= 6 && delimiter(begin - 1) && digit(begin - 2) && digit(begin - 3) &&
                         delimiter(begin - 4) && digit(begin - 5) && digit(begin - 6) &&
                         (begin == 6 || !digit(begin - 7));
  if (run >= 6 || bare || delimited) return fraction_at(dot);
  return {};
}

std::optional<std::string> narrowed_text(std::string_view text, const ColumnLimits& limits, std::string_view field,
                                         char quote) {
  if (limits.zone_ignored && !is_special_time(text)) {
    const TimeText t = read_time_text(text);
    if (t.plain && !t.zone.empty())
      return field_named(field, quote) + " has a time zone (" + std::string(t.zone) +
             ") that its column (without time zone) would ignore; give the field the timestamp type in the source "
             "to have it converted to UTC, or use a column with a time zone";
    if (!t.plain && may_hide_a_zone(text))
      return field_named(field, quote) +
             " has date/time text in a form whose time zone the sink cannot tell, and its column (without time "
             "zone) would ignore one; write YYYY-MM-DD HH:MM:SS, or give the field the timestamp type in the source";
  }
  if (limits.fraction_digits >= 0) {
    const size_t digits = seconds_fraction(text).size();
    if (digits > static_cast<size_t>(limits.fraction_digits))
      return field_named(field, quote) + " has " + std::to_string(digits) + " fraction digit" +
             (digits == 1 ? "" : "s") + " in its text, and its column keeps " +
             std::to_string(limits.fraction_digits) + " (the server would round it)";
  }
  if (limits.date_only) {
    const TimeText t = read_time_text(text);
    if ((t.plain && (t.time_of_day || !t.zone.empty())) || (!t.plain && text.find(':') != std::string_view::npos))
      return field_named(field, quote) + " has a time of day that its date column would drop";
  }
  return std::nullopt;
}

std::optional<std::string> narrowed_number(std::string_view text, const ColumnLimits& limits, std::string_view field,
                                           char quote) {
  const std::optional<int> places = decimal_places(text);
  if (!places || *places <= *limits.scale) return std::nullopt;
  if (*limits.scale >= 0 && *places > 0)
    return field_named(field, quote) + " has " + std::to_string(*places) +
           " digits after the point, and its column keeps " + std::to_string(*limits.scale) +
           " (the server would round it)";
  return field_named(field, quote) + " is not a multiple of 1e" + std::to_string(-*limits.scale) +
         ", which its column (scale " + std::to_string(*limits.scale) + ") would round it to";
}

// A double -0, or number text for it ("-0", "-0.0e3").
bool is_negative_zero(const FerryValue& v) {
  if (v.type == FERRY_TYPE_DOUBLE) return v.as.f64 == 0 && std::signbit(v.as.f64);
  if (v.type != FERRY_TYPE_STRING && v.type != FERRY_TYPE_DECIMAL) return false;
  std::string_view text = ferry::view(v.as.bytes);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  return !text.empty() && text.front() == '-' && decimal_places(text) == kFitsAnyScale;
}

// Shortest text that reads back as `x`.
template <typename T>
std::string shortest(T x) {
  char buf[64];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, x).ptr);
}

// "<value> would be stored as <float> ..." when a single-precision column
// would store another number than `v`; nothing when it stores the same
// (the float prints as a number that reads back as `v`), or when `v` is no
// number.
std::optional<std::string> rounded_to_float(const FerryValue& v) {
  double d = 0;
  std::string own;
  if (v.type == FERRY_TYPE_INT64) {
    const float f = static_cast<float>(v.as.i64);
    // 2^63 is no int64: a float that large is not the integer.
    if (f < 9223372036854775808.0f && static_cast<int64_t>(f) == v.as.i64) return std::nullopt;
    d = static_cast<double>(v.as.i64);
    own = std::to_string(v.as.i64);
  } else if (v.type == FERRY_TYPE_DOUBLE) {
    d = v.as.f64;
    if (!std::isfinite(d)) return std::nullopt;  // the column keeps infinities and NaN
    own = shortest(d);
  } else if (v.type == FERRY_TYPE_STRING || v.type == FERRY_TYPE_DECIMAL) {
    const std::string_view t = ferry::view(v.as.bytes);
    const auto r = std::from_chars(t.data(), t.data() + t.size(), d);
    if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size() || !std::isfinite(d)) return std::nullopt;
    own = std::string(t.substr(0, 40));
  } else {
    return std::nullopt;
  }
  // From 2^128 - 2^103 on a double rounds past the largest float; the
  // conversion itself would then be undefined.
  if (std::fabs(d) >= 340282356779733661637539395458142568448.0)
    return own + " is beyond what its single-precision column holds (the largest float is 3.4028235e+38)";
  const float f = static_cast<float>(d);
  const std::string stored = shortest(f);
  // An integer must stay that integer (checked above); a fraction passes
  // when the float is the double, or prints as text that reads back as it.
  if (v.type != FERRY_TYPE_INT64) {
    if (static_cast<double>(f) == d) return std::nullopt;
    double back = 0;
    std::from_chars(stored.data(), stored.data() + stored.size(), back);
    if (back == d) return std::nullopt;
  }
  return own + " would be stored as " + stored + " by its single-precision column";
}

// "<value> would be stored as <double>" when a double column would store
// another number than `v`: an integer beyond 2^53 it cannot hold, or text
// with more digits than a double keeps; nothing for a double, and for text
// that is no decimal number or lies beyond a double's range (the server
// refuses those itself).
std::optional<std::string> rounded_to_double(const FerryValue& v) {
  double d = 0;
  std::string own;
  if (v.type == FERRY_TYPE_INT64) {
    d = static_cast<double>(v.as.i64);
    // 2^63 is no int64: a double that large is not the integer.
    if (d < 9223372036854775808.0 && static_cast<int64_t>(d) == v.as.i64) return std::nullopt;
    own = std::to_string(v.as.i64);
  } else if (v.type == FERRY_TYPE_STRING || v.type == FERRY_TYPE_DECIMAL) {
    const std::string_view t = ferry::view(v.as.bytes);
    const std::optional<DecimalValue> written = decimal_value(t);
    if (!written) return std::nullopt;
    d = nearest_double(without_plus_sign(t));
    if (!std::isfinite(d) || double_is_exact(d, t)) return std::nullopt;
    // Text other than the shortest digits that is the double's exact value
    // (2^60 written out) is stored as it is, too.
    char exact[1500];  // 309 integer digits, the point and 1074 fraction digits at most
    const auto r = std::to_chars(exact, exact + sizeof exact, d, std::chars_format::fixed, 1074);
    const std::optional<DecimalValue> binary =
        r.ec == std::errc() ? decimal_value(std::string_view(exact, static_cast<size_t>(r.ptr - exact)))
                            : std::nullopt;
    if (binary && compare(*binary, *written) == 0) return std::nullopt;
    own = std::string(t.substr(0, 40)) + (t.size() > 40 ? "..." : "");
  } else {
    return std::nullopt;
  }
  const std::optional<DecimalValue> stored = decimal_value(d);
  return own + " would be stored as " + (stored ? plain_text(*stored) : shortest(d)) + " by its double column";
}

// Whether text starts with a date, "YYYY-MM-DD".
bool starts_with_date(std::string_view t) {
  if (t.size() < 10 || t[4] != '-' || t[7] != '-') return false;
  for (const size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (t[i] < '0' || t[i] > '9') return false;
  return true;
}

}  // namespace

std::optional<std::string> narrowed_value(const FerryValue& v, const ColumnLimits& limits, std::string_view field,
                                          char quote) {
  if (v.type == FERRY_TYPE_STRING)
    if (std::optional<std::string> why = narrowed_text(ferry::view(v.as.bytes), limits, field, quote)) return why;
  if (v.type == FERRY_TYPE_TIMESTAMP && limits.date_only && v.as.i64 % (86400LL * 1000000) != 0)
    return field_named(field, quote) + " has a time of day that its date column would drop";
  if (limits.scale && (v.type == FERRY_TYPE_DECIMAL || v.type == FERRY_TYPE_STRING))
    if (std::optional<std::string> why = narrowed_number(ferry::view(v.as.bytes), limits, field, quote)) return why;
  if (limits.scale && v.type == FERRY_TYPE_DOUBLE && std::isfinite(v.as.f64)) {
    // The shortest fixed text that reads back as the same double.
    char buf[400];
    const auto r = std::to_chars(buf, buf + sizeof buf, v.as.f64, std::chars_format::fixed);
    if (r.ec == std::errc())
      if (std::optional<std::string> why =
              narrowed_number(std::string_view(buf, static_cast<size_t>(r.ptr - buf)), limits, field, quote))
        return why;
  }
  if (v.type == FERRY_TYPE_TIMESTAMP && limits.fraction_digits >= 0 && limits.fraction_digits < 6) {
    int64_t unit = 1;
    for (int d = limits.fraction_digits; d < 6; ++d) unit *= 10;
    if (v.as.i64 % unit != 0)
      return field_named(field, quote) + " has microseconds that column " + quote_identifier(field, quote) + " (" +
             std::to_string(limits.fraction_digits) + " fraction digits) would round or cut";
  }
  if (limits.single_float)
    if (std::optional<std::string> rounded = rounded_to_float(v))
      return field_named(field, quote) + ": " + *rounded;
  if (limits.double_float)
    if (std::optional<std::string> rounded = rounded_to_double(v))
      return field_named(field, quote) + ": " + *rounded;
  if (limits.time_only &&
      ((v.type == FERRY_TYPE_TIMESTAMP && (v.as.i64 < 0 || v.as.i64 >= 86400LL * 1000000)) ||
       (v.type == FERRY_TYPE_STRING && starts_with_date(ferry::view(v.as.bytes)))))
    return field_named(field, quote) + " has a date that its time column would drop";
  if (limits.no_negative_zero && is_negative_zero(v))
    return field_named(field, quote) + " is -0, which its column would store as 0";
  if (limits.unique_keys && (v.type == FERRY_TYPE_JSON || v.type == FERRY_TYPE_STRING))
    if (std::optional<std::string> key = json_repeated_key(ferry::view(v.as.bytes)))
      return field_named(field, quote) + " has the key \"" + *key +
             "\" twice in one object, and its JSON column would keep only one of its values";
  const bool text = v.type == FERRY_TYPE_STRING || v.type == FERRY_TYPE_DECIMAL || v.type == FERRY_TYPE_JSON;
  if (text && limits.max_bytes >= 0 && v.as.bytes.size > static_cast<uint64_t>(limits.max_bytes))
    return field_named(field, quote) + " has " + std::to_string(v.as.bytes.size) +
           " bytes, more than its column takes (" + std::to_string(limits.max_bytes) + ")";
  if (text && limits.max_chars >= 0 && v.as.bytes.size > static_cast<uint64_t>(limits.max_chars)) {
    int64_t chars = 0;
    for (const char ch : ferry::view(v.as.bytes))
      if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++chars;
    if (chars > limits.max_chars)
      return field_named(field, quote) + " has " + std::to_string(chars) + " characters, more than column " +
             quote_identifier(field, quote) + " takes (" + std::to_string(limits.max_chars) + ")";
  }
  return std::nullopt;
}

}  // namespace ferry::support
