// What every SQL sink refuses of a value its column would change: here the
// single-precision columns (PostgreSQL's real, MySQL's FLOAT).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "sql/row_checks.h"

namespace {

using ferry::support::ColumnLimits;
using ferry::support::narrowed_value;

FerryValue real(double d) {
  FerryValue v{};
  v.type = FERRY_TYPE_DOUBLE;
  v.as.f64 = d;
  return v;
}

FerryValue integer(int64_t i) {
  FerryValue v{};
  v.type = FERRY_TYPE_INT64;
  v.as.i64 = i;
  return v;
}

FerryValue text(const std::string& s, FerryType type = FERRY_TYPE_STRING) {
  FerryValue v{};
  v.type = type;
  v.as.bytes.data = s.data();
  v.as.bytes.size = s.size();
  return v;
}

TEST(SqlRowChecks, ASingleFloatColumnRefusesWhatItWouldRound) {
  ColumnLimits limits;
  EXPECT_TRUE(limits.keeps_all());
  limits.single_float = true;
  EXPECT_FALSE(limits.keeps_all());
  const auto why = [&](const FerryValue& v) { return narrowed_value(v, limits, "x", '"'); };
  // What reads back the same: exact floats, and doubles whose float prints
  // as the same number (0.1 is 0.1 in both).
  for (const double d : {0.1, 1.5, -2.25, 1.1e12, 16777216.0, 3.4e38, 0.0,
                         std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()})
    EXPECT_EQ(why(real(d)), std::nullopt) << d;
  for (const int64_t i : {int64_t{0}, int64_t{16777216}, int64_t{-16777216}, int64_t{1000000000}, int64_t{1} << 62})
    EXPECT_EQ(why(integer(i)), std::nullopt) << i;
  const std::string tenth = "0.1";
  EXPECT_EQ(why(text(tenth)), std::nullopt);
  const std::string word = "twelve";
  EXPECT_EQ(why(text(word)), std::nullopt);  // not a number: the server's to refuse
  // What a float rounds.
  EXPECT_EQ(why(real(0.123456789)),
            "field \"x\": 0.123456789 would be stored as 0.12345679 by its single-precision column");
  EXPECT_NE(why(real(16777217.0)), std::nullopt);
  EXPECT_NE(why(real(1e300)), std::nullopt);  // beyond a float
  EXPECT_EQ(why(integer(16777217)),
            "field \"x\": 16777217 would be stored as 16777216 by its single-precision column");
  EXPECT_NE(why(integer(std::numeric_limits<int64_t>::max())), std::nullopt);
  const std::string digits = "123456789";
  EXPECT_NE(why(text(digits, FERRY_TYPE_DECIMAL)), std::nullopt);
}

}  // namespace
