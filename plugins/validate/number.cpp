#include "number.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace ferry_validate {
namespace {

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int compare_magnitude(const Decimal& a, const Decimal& b) {
  if (a.int_digits.size() != b.int_digits.size())
    return a.int_digits.size() < b.int_digits.size() ? -1 : 1;
  if (int c = a.int_digits.compare(b.int_digits); c != 0) return c;
  // Without trailing zeros, lexicographic order of fractions is numeric order.
  return a.frac_digits.compare(b.frac_digits);
}

}  // namespace

std::optional<Decimal> parse_decimal(std::string_view text) {
  Decimal d;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    d.negative = text.front() == '-';
    text.remove_prefix(1);
  }
  const size_t dot = text.find('.');
  std::string_view int_part = text.substr(0, dot);
  std::string_view frac_part = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (int_part.empty() && frac_part.empty()) return std::nullopt;
  if (dot != std::string_view::npos && frac_part.empty()) return std::nullopt;
  if (!all_digits(int_part) || !all_digits(frac_part)) return std::nullopt;
  while (!int_part.empty() && int_part.front() == '0') int_part.remove_prefix(1);
  while (!frac_part.empty() && frac_part.back() == '0') frac_part.remove_suffix(1);
  d.int_digits = std::string(int_part);
  d.frac_digits = std::string(frac_part);
  if (d.int_digits.empty() && d.frac_digits.empty()) d.negative = false;
  return d;
}

Decimal decimal_of(int64_t v) {
  // std::to_string handles INT64_MIN, which negating would not.
  return *parse_decimal(std::to_string(v));
}

std::optional<Decimal> decimal_of(double v) {
  if (std::isnan(v)) return std::nullopt;
  if (std::isinf(v)) {
    Decimal d;
    d.infinity = v < 0 ? -1 : 1;
    d.negative = v < 0;
    return d;
  }
  // Fixed notation of the shortest round-trip digits: what the user wrote.
  char buf[400];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  if (r.ec != std::errc()) return std::nullopt;
  return parse_decimal(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}

int compare(const Decimal& a, const Decimal& b) {
  if (a.infinity != 0 || b.infinity != 0) return a.infinity < b.infinity ? -1 : (a.infinity > b.infinity ? 1 : 0);
  if (a.negative != b.negative) return a.negative ? -1 : 1;
  const int m = compare_magnitude(a, b);
  return a.negative ? -m : m;
}


}  // namespace ferry_validate
