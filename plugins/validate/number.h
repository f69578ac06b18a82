// Exact comparison of numbers of any source: int64, double, decimal text and
// JSON bounds. Comparing through double would make a decimal "0.1" break
// `"min": 0.1`, because the double 0.1 is slightly above one tenth.
#ifndef FERRY_PLUGINS_VALIDATE_NUMBER_H_
#define FERRY_PLUGINS_VALIDATE_NUMBER_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "text/decimal_value.h"
#include "text/value_text.h"

namespace ferry_validate {

// A finite decimal number or an infinity (a double can hold one).
struct Decimal {
  int infinity = 0;  // -1, 0 or +1
  ferry::support::DecimalValue value;
};

// Parses "[-+]digits[.digits]"; nullopt for anything else (exponents too).
std::optional<Decimal> parse_decimal(std::string_view text);
Decimal decimal_of(int64_t v);
// Nullopt for NaN, which compares with nothing.
std::optional<Decimal> decimal_of(double v);

// <0, 0, >0 like strcmp.
int compare(const Decimal& a, const Decimal& b);

// Shortest text that reads back as the same double (support/text).
using ferry::support::double_text;

}  // namespace ferry_validate

#endif  // FERRY_PLUGINS_VALIDATE_NUMBER_H_
