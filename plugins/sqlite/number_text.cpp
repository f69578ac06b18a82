#include "number_text.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

namespace ferry_sqlite {

std::optional<DecimalValue> decimal_value(std::string_view text) {
  DecimalValue v;
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) v.negative = text[i++] == '-';
  long point = -1;  // digits of the mantissa before the point
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
    const char* b = text.data() + i;
    if (i < text.size() && text[i] == '+') ++b;
    const auto r = std::from_chars(b, text.data() + text.size(), exp);
    if (r.ec != std::errc() || b == text.data() + text.size()) return std::nullopt;
    i = static_cast<size_t>(r.ptr - text.data());
  }
  if (i != text.size()) return std::nullopt;
  while (!v.digits.empty() && v.digits.back() == '0') v.digits.pop_back();
  if (point < 0) point = seen;
  if (!v.digits.empty()) v.exponent = point - first - 1 + exp;
  return v;
}

std::optional<std::string> numeric_text_changes(std::string_view text, Affinity column) {
  if (column != Affinity::kNumeric && column != Affinity::kInteger && column != Affinity::kReal) return std::nullopt;
  // SQLite reads a number with spaces around it as the number.
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  const std::optional<DecimalValue> value = decimal_value(text);
  if (!value) return std::nullopt;  // stored as the text it is
  const bool integer_literal = text.find_first_of(".eE") == std::string_view::npos;
  if (integer_literal && column != Affinity::kReal) {
    int64_t i = 0;
    const char* b = text.data() + (text.front() == '+' ? 1 : 0);
    const auto r = std::from_chars(b, text.data() + text.size(), i);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return std::nullopt;  // an INTEGER, exactly
  }
  double d = 0;
  const char* b = text.data() + (text.front() == '+' ? 1 : 0);
  const auto r = std::from_chars(b, text.data() + text.size(), d);
  const std::string quoted = "the number " + std::string(text.substr(0, 40)) + (text.size() > 40 ? "..." : "");
  if (r.ec != std::errc() || !std::isfinite(d))
    return quoted + " is beyond what SQLite's REAL holds, which its column's affinity would turn it into";
  char buf[64];
  const std::string stored(buf, std::to_chars(buf, buf + sizeof buf, d).ptr);
  if (decimal_value(stored) == value) return std::nullopt;
  return quoted + " would be stored as " + stored + " (its column's affinity turns it into a REAL)";
}

}  // namespace ferry_sqlite
