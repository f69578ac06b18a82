#include "number.h"

#include <cmath>

namespace ferry_validate {

std::optional<Decimal> parse_decimal(std::string_view text) {
  // A DECIMAL value and a bound are written plainly: no exponent, no point
  // without digits after it.
  if (text.empty() || text.back() == '.' || text.find_first_of("eE") != std::string_view::npos) return std::nullopt;
  std::optional<ferry::support::DecimalValue> value = ferry::support::decimal_value(text);
  if (!value) return std::nullopt;
  return Decimal{0, std::move(*value)};
}

Decimal decimal_of(int64_t v) { return Decimal{0, ferry::support::decimal_value(v)}; }

std::optional<Decimal> decimal_of(double v) {
  if (std::isnan(v)) return std::nullopt;
  if (std::isinf(v)) return Decimal{v < 0 ? -1 : 1, {}};
  return Decimal{0, *ferry::support::decimal_value(v)};
}

int compare(const Decimal& a, const Decimal& b) {
  if (a.infinity != 0 || b.infinity != 0) return a.infinity < b.infinity ? -1 : (a.infinity > b.infinity ? 1 : 0);
  return ferry::support::compare(a.value, b.value);
}

}  // namespace ferry_validate
