#include "number_text.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

#include "text/decimal_value.h"

namespace ferry_sqlite {

std::optional<std::string> numeric_text_changes(std::string_view text, Affinity column) {
  if (column != Affinity::kNumeric && column != Affinity::kInteger && column != Affinity::kReal) return std::nullopt;
  // SQLite reads a number with spaces around it as the number.
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (!ferry::support::decimal_value(text)) return std::nullopt;  // stored as the text it is
  const bool integer_literal = text.find_first_of(".eE") == std::string_view::npos;
  if (integer_literal && column != Affinity::kReal) {
    int64_t i = 0;
    const char* b = ferry::support::without_plus_sign(text).data();
    const auto r = std::from_chars(b, text.data() + text.size(), i);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return std::nullopt;  // an INTEGER, exactly
  }
  double d = 0;
  const char* b = ferry::support::without_plus_sign(text).data();
  const auto r = std::from_chars(b, text.data() + text.size(), d);
  const std::string quoted = "the number " + std::string(text.substr(0, 40)) + (text.size() > 40 ? "..." : "");
  // Out of range: SQLite reads a number too close to zero as 0, and one too
  // large as an infinity.
  if (r.ec == std::errc::result_out_of_range && ferry::support::decimal_value(text)->exponent < 0)
    return quoted + " would be stored as 0 (its column's affinity turns it into a REAL, and none is that close to 0)";
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || !std::isfinite(d))
    return quoted + " is beyond what SQLite's REAL holds, which its column's affinity would turn it into";
  if (ferry::support::double_is_exact(d, text)) return std::nullopt;
  return quoted + " would be stored as " + ferry::support::plain_text(*ferry::support::decimal_value(d)) +
         " (its column's affinity turns it into a REAL)";
}

}  // namespace ferry_sqlite
