#include "text/decimal_value.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace ferry::support {

std::optional<DecimalValue> decimal_value(std::string_view text) {
  DecimalValue v;
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) v.negative = text[i++] == '-';
  long point = -1;  // mantissa digits before the point
  long seen = 0;    // mantissa digits, leading zeros included
  long first = -1;  // position of the first nonzero digit among them
  bool any = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && point < 0) {
      point = seen;
      continue;
    }
    if (c < '0' || c > '9') break;
    any = true;
    if (c != '0' && first < 0) first = seen;
    if (first >= 0) v.digits.push_back(c);
    ++seen;
  }
  if (!any) return std::nullopt;
  long exp = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    // One sign: from_chars would read "+-5" after a skipped '+'.
    const std::string_view exponent = without_plus_sign(text.substr(i));
    const auto r = std::from_chars(exponent.data(), exponent.data() + exponent.size(), exp);
    if (r.ec != std::errc()) return std::nullopt;
    i = static_cast<size_t>(r.ptr - text.data());
  }
  if (i != text.size()) return std::nullopt;
  while (!v.digits.empty() && v.digits.back() == '0') v.digits.pop_back();
  if (point < 0) point = seen;
  // An exponent near the limits of a long would overflow: such a number
  // keeps the direction of its exponent, as far as a long reaches.
  if (!v.digits.empty() && __builtin_add_overflow(point - first - 1, exp, &v.exponent))
    v.exponent = exp < 0 ? std::numeric_limits<long>::min() : std::numeric_limits<long>::max();
  return v;
}

DecimalValue decimal_value(int64_t v) {
  // std::to_string handles INT64_MIN, which negating would not.
  return *decimal_value(std::string_view(std::to_string(v)));
}

std::optional<DecimalValue> decimal_value(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  // Scientific: the shortest digits always. The default format prints a
  // large integer in full when that is shorter, with digits beyond them.
  char buf[64];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  return decimal_value(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}

std::string plain_text(const DecimalValue& v) {
  if (v.digits.empty()) return "0";
  const long n = static_cast<long>(v.digits.size());
  std::string out = v.negative ? "-" : "";
  if (v.exponent < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-v.exponent - 1), '0');
    out += v.digits;
  } else if (v.exponent + 1 >= n) {
    out += v.digits;
    out.append(static_cast<size_t>(v.exponent + 1 - n), '0');
  } else {
    out.append(v.digits, 0, static_cast<size_t>(v.exponent + 1));
    out += '.';
    out.append(v.digits, static_cast<size_t>(v.exponent + 1), std::string::npos);
  }
  return out;
}

int compare(const DecimalValue& a, const DecimalValue& b) {
  const int sign_a = a.digits.empty() ? 0 : (a.negative ? -1 : 1);
  const int sign_b = b.digits.empty() ? 0 : (b.negative ? -1 : 1);
  if (sign_a != sign_b) return sign_a < sign_b ? -1 : 1;
  if (sign_a == 0) return 0;
  int magnitude = 0;
  if (a.exponent != b.exponent) magnitude = a.exponent < b.exponent ? -1 : 1;
  // Without trailing zeros, digit strings of one exponent order as text.
  else if (const int c = a.digits.compare(b.digits); c != 0) magnitude = c < 0 ? -1 : 1;
  return sign_a < 0 ? -magnitude : magnitude;
}

bool double_is_exact(double d, std::string_view text) {
  const std::optional<DecimalValue> written = decimal_value(text);
  return written && decimal_value(d) == written;
}

}  // namespace ferry::support
