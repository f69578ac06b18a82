// A decimal number by its value, whatever way it is written: "1.10",
// "1.1" and "0.011e2" are one number. What a plugin needs to tell whether a
// conversion (text to double, a column's affinity, a float) kept a number
// or made it another one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::support {

// "-012.50e1" is negative, digits "125", exponent 2 (the power of ten of
// its first digit). Zero has no digits, and either sign.
struct DecimalValue {
  bool negative = false;
  std::string digits;  // significant: no leading or trailing zeros
  long exponent = 0;
  bool operator==(const DecimalValue& o) const {
    return digits == o.digits && (digits.empty() || (negative == o.negative && exponent == o.exponent));
  }
  bool operator!=(const DecimalValue& o) const { return !(*this == o); }
};

// `text` without its leading '+', for std::from_chars, which takes only a
// '-'. A '+' before another sign stays, so "+-1" is refused as it should.
inline std::string_view without_plus_sign(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') text.remove_prefix(1);
  return text;
}

// Nothing when `text` is not a decimal literal: an optional sign, digits
// with at most one point, an optional exponent; no spaces, no "inf".
std::optional<DecimalValue> decimal_value(std::string_view text);
DecimalValue decimal_value(int64_t v);
// The number a double's shortest round-trip digits write (1e23, not the
// 99999999999999991611392 it holds exactly); nothing for NaN and the
// infinities.
std::optional<DecimalValue> decimal_value(double v);

// The number in plain digits, without an exponent: "-0.0025",
// "100000000000000000000000", "0".
std::string plain_text(const DecimalValue& v);

// <0, 0, >0 like strcmp, by numeric value.
int compare(const DecimalValue& a, const DecimalValue& b);

// Whether `text` writes the number `d` stands for in Ferry: its shortest
// round-trip digits, as everywhere a double becomes text or is compared
// (0.1 is the double nearest to a tenth; 1e23 is 1e23). Its binary value's
// other digits are not (0.1000000000000000055511151231257827...,
// 12345678901234567168 for 1.2345678901234567e19), nor a number that only
// rounds to it (0.1000000000000000000001). False when `text` is no decimal
// literal. Keeps a cast to double and back to decimal the same number.
bool double_is_exact(double d, std::string_view text);

}  // namespace ferry::support
