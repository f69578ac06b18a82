// A decimal number by its value (support/text): the one reading behind the
// map plugin's exact casts, the sqlite sink's affinity check and the
// validate plugin's bounds.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "text/decimal_value.h"

namespace ferry::support {
namespace {

DecimalValue value_of(const std::string& text) {
  const std::optional<DecimalValue> v = decimal_value(std::string_view(text));
  EXPECT_TRUE(v.has_value()) << text;
  return v.value_or(DecimalValue{});
}

TEST(DecimalValue, OneNumberHowEverItIsWritten) {
  const DecimalValue v = value_of("-012.50e1");
  EXPECT_TRUE(v.negative);
  EXPECT_EQ(v.digits, "125");
  EXPECT_EQ(v.exponent, 2);
  EXPECT_EQ(value_of("1.10"), value_of("1.1"));
  EXPECT_EQ(value_of("1.1"), value_of("0.011e2"));
  EXPECT_EQ(value_of("+1.1"), value_of("11E-1"));
  EXPECT_EQ(value_of(".5"), value_of("0.5"));
  EXPECT_EQ(value_of("0"), value_of("-0.000e7"));
  EXPECT_NE(value_of("1.1"), value_of("-1.1"));
  EXPECT_NE(value_of("1.1"), value_of("1.01"));
  EXPECT_NE(value_of("10"), value_of("1"));
  EXPECT_EQ(decimal_value(int64_t{-120}), value_of("-1.2e2"));
  EXPECT_EQ(decimal_value(std::numeric_limits<int64_t>::min()), value_of("-9223372036854775808"));
  EXPECT_EQ(*decimal_value(0.1), value_of("0.1"));
  EXPECT_EQ(*decimal_value(1e300), value_of("1e300"));
}

TEST(DecimalValue, WhatIsNoDecimalLiteralHasNoValue) {
  for (const char* text : {"", "-", ".", "e5", "1e", "1e+", "1.2.3", "1,5", " 1", "1 ", "inf", "nan", "0x10", "1e5.5",
                           "1e99999999999999999999", "1e+-5", "1e-+5", "1e++5", "1e--5"})
    EXPECT_FALSE(decimal_value(std::string_view(text)).has_value()) << text;
  EXPECT_FALSE(decimal_value(std::numeric_limits<double>::quiet_NaN()).has_value());
  EXPECT_FALSE(decimal_value(-std::numeric_limits<double>::infinity()).has_value());
}

// An exponent at the limits of a long keeps its direction instead of
// wrapping around.
TEST(DecimalValue, AnExponentAtTheLimitsKeepsItsSign) {
  const DecimalValue huge = value_of("10e9223372036854775807");
  EXPECT_GT(huge.exponent, 0);
  const DecimalValue tiny = value_of("0.001e-9223372036854775807");
  EXPECT_LT(tiny.exponent, 0);
  EXPECT_EQ(compare(tiny, value_of("1e-300")), -1);
  EXPECT_EQ(compare(huge, value_of("1e300")), 1);
}

TEST(DecimalValue, ComparesByNumericValue) {
  const std::vector<std::string> ascending = {"-1e10", "-12", "-1.2", "-0.0001", "0", "1e-300", "0.5",
                                              "1",     "1.01", "1.1",  "9.99",    "10", "1e10"};
  for (size_t i = 0; i < ascending.size(); ++i)
    for (size_t j = 0; j < ascending.size(); ++j) {
      const int expected = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(compare(value_of(ascending[i]), value_of(ascending[j])), expected)
          << ascending[i] << " vs " << ascending[j];
    }
  EXPECT_EQ(compare(value_of("-0"), value_of("0.000")), 0);
  EXPECT_EQ(compare(value_of("12.50"), value_of("1.25e1")), 0);
}

TEST(DecimalValue, OnlyASinglePlusSignIsDropped) {
  EXPECT_EQ(without_plus_sign("+12"), "12");
  EXPECT_EQ(without_plus_sign("+.5"), ".5");
  EXPECT_EQ(without_plus_sign("-12"), "-12");
  EXPECT_EQ(without_plus_sign("+-12"), "+-12");
  EXPECT_EQ(without_plus_sign("++12"), "++12");
  EXPECT_EQ(without_plus_sign("+"), "+");
  EXPECT_EQ(without_plus_sign(""), "");
}

TEST(DecimalValue, PlainTextHasNoExponent) {
  EXPECT_EQ(plain_text(value_of("1e23")), "100000000000000000000000");
  EXPECT_EQ(plain_text(value_of("-2.5e-3")), "-0.0025");
  EXPECT_EQ(plain_text(value_of("12.50")), "12.5");
  EXPECT_EQ(plain_text(value_of("0.000")), "0");
  EXPECT_EQ(plain_text(value_of("-120")), "-120");
  EXPECT_EQ(plain_text(value_of("1.2")), "1.2");
  EXPECT_EQ(plain_text(*decimal_value(1e23)), "100000000000000000000000");
  EXPECT_EQ(plain_text(*decimal_value(12345678901234567168.0)), "12345678901234567000");
}

TEST(DecimalValue, ADoubleIsExactOnlyForTheNumberItsDigitsWrite) {
  EXPECT_TRUE(double_is_exact(0.1, "0.1"));
  EXPECT_TRUE(double_is_exact(0.1, "0.100"));
  EXPECT_TRUE(double_is_exact(1e20, "100000000000000000000"));
  EXPECT_TRUE(double_is_exact(9007199254740992.0, "9007199254740992"));
  // The shortest digits only, so double and decimal casts go back and forth
  // without changing the number: not the binary value's other digits.
  EXPECT_TRUE(double_is_exact(12345678901234567168.0, "1.2345678901234567e19"));
  EXPECT_TRUE(double_is_exact(12345678901234567168.0, "12345678901234567000"));
  EXPECT_FALSE(double_is_exact(12345678901234567168.0, "12345678901234567168"));
  EXPECT_TRUE(double_is_exact(1e23, "1e23"));
  EXPECT_FALSE(double_is_exact(1e23, "99999999999999991611392"));
  EXPECT_FALSE(double_is_exact(0.1, "0.1000000000000000055511151231257827021181583404541015625"));
  EXPECT_FALSE(double_is_exact(0.1, "0.1000000000000000000001"));
  EXPECT_FALSE(double_is_exact(9007199254740992.0, "9007199254740993"));
  EXPECT_FALSE(double_is_exact(0.0, "1e-400"));
  EXPECT_FALSE(double_is_exact(1.0, "one"));
  EXPECT_FALSE(double_is_exact(std::numeric_limits<double>::infinity(), "1e999"));
}

}  // namespace
}  // namespace ferry::support
