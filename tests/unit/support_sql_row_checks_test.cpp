// What every SQL sink refuses of a value its column would change: here the
// single-precision columns (PostgreSQL's real, MySQL's FLOAT).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "sql/row_checks.h"
#include "support/ferry_values.h"

namespace {

using ferry::support::ColumnLimits;
using ferry::support::narrowed_value;

using ferry::test::bytes_value;
using ferry::test::double_value;
using ferry::test::int64_value;

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
    EXPECT_EQ(why(double_value(d)), std::nullopt) << d;
  for (const int64_t i : {int64_t{0}, int64_t{16777216}, int64_t{-16777216}, int64_t{1000000000}, int64_t{1} << 62})
    EXPECT_EQ(why(int64_value(i)), std::nullopt) << i;
  const std::string tenth = "0.1";
  EXPECT_EQ(why(bytes_value(FERRY_TYPE_STRING, tenth)), std::nullopt);
  const std::string word = "twelve";
  EXPECT_EQ(why(bytes_value(FERRY_TYPE_STRING, word)), std::nullopt);  // not a number: the server's to refuse
  // What a float rounds.
  EXPECT_EQ(why(double_value(0.123456789)),
            "field \"x\": 0.123456789 would be stored as 0.12345679 by its single-precision column");
  EXPECT_NE(why(double_value(16777217.0)), std::nullopt);
  EXPECT_EQ(why(double_value(1e300)),
            "field \"x\": 1e+300 is beyond what its single-precision column holds (the largest float is "
            "3.4028235e+38)");
  EXPECT_EQ(why(double_value(3.4028235e38)), std::nullopt);  // the largest float, as it prints
  EXPECT_EQ(why(int64_value(16777217)),
            "field \"x\": 16777217 would be stored as 16777216 by its single-precision column");
  EXPECT_NE(why(int64_value(std::numeric_limits<int64_t>::max())), std::nullopt);
  const std::string digits = "123456789";
  EXPECT_NE(why(bytes_value(FERRY_TYPE_DECIMAL, digits)), std::nullopt);
}

// A double column (PostgreSQL's double precision, MySQL's DOUBLE) rounds
// an integer beyond 2^53 and text with more digits than a double holds;
// both were stored rounded, with no DLQ entry.
TEST(SqlRowChecks, ADoubleColumnRefusesWhatItWouldRound) {
  ColumnLimits limits;
  limits.double_float = true;
  EXPECT_FALSE(limits.keeps_all());
  const auto why = [&](const FerryValue& v) { return narrowed_value(v, limits, "x", '"'); };
  for (const double d : {0.1, 12.100000000000001, 1e300, std::numeric_limits<double>::quiet_NaN()})
    EXPECT_EQ(why(double_value(d)), std::nullopt) << d;
  for (const int64_t i : {int64_t{0}, int64_t{9007199254740992}, int64_t{-9007199254740992}, int64_t{1} << 62})
    EXPECT_EQ(why(int64_value(i)), std::nullopt) << i;
  // A double's exact value, written out, is that double too (2^60).
  for (const std::string t : {"0.1", "1.25", "12.100000000000001", "1e23", "-0.5", "1152921504606846976"})
    EXPECT_EQ(why(bytes_value(FERRY_TYPE_DECIMAL, t)), std::nullopt) << t;
  EXPECT_EQ(why(int64_value(9007199254740993)),
            "field \"x\": 9007199254740993 would be stored as 9007199254740992 by its double column");
  const std::string wide = "12345678901234567890";
  EXPECT_EQ(why(bytes_value(FERRY_TYPE_DECIMAL, wide)),
            "field \"x\": 12345678901234567890 would be stored as 12345678901234567000 by its double column");
  const std::string long_fraction = "0.1000000000000000000001";
  EXPECT_NE(why(bytes_value(FERRY_TYPE_STRING, long_fraction)), std::nullopt);
  const std::string word = "twelve";
  EXPECT_EQ(why(bytes_value(FERRY_TYPE_STRING, word)), std::nullopt);  // not a number: the server's to refuse
}

// A time column keeps the time of day only: a timestamp or date text on
// any other day than 1970-01-01 lost its date there, silently.
TEST(SqlRowChecks, ATimeColumnRefusesADateItWouldDrop) {
  ColumnLimits limits;
  limits.time_only = true;
  EXPECT_FALSE(limits.keeps_all());
  const auto why = [&](const FerryValue& v) { return narrowed_value(v, limits, "t", '"'); };
  FerryValue ts{};
  ts.type = FERRY_TYPE_TIMESTAMP;
  ts.as.i64 = 36000LL * 1000000;  // 1970-01-01T10:00:00Z: a time of day
  EXPECT_EQ(why(ts), std::nullopt);
  ts.as.i64 = 1704103200LL * 1000000;  // 2024-01-01T10:00:00Z
  EXPECT_EQ(why(ts), "field \"t\" has a date that its time column would drop");
  const std::string time_text = "10:00:00.5";
  EXPECT_EQ(why(bytes_value(FERRY_TYPE_STRING, time_text)), std::nullopt);
  const std::string with_date = "2024-05-05 10:00:00";
  EXPECT_EQ(why(bytes_value(FERRY_TYPE_STRING, with_date)), "field \"t\" has a date that its time column would drop");
}

// timestamp(0), DATETIME, time(3): the server rounds the fraction of text
// as it rounds a typed timestamp's, which was refused already while text
// passed and lost its digits.
TEST(SqlRowChecks, AColumnWithFewerFractionDigitsRefusesTextItWouldRound) {
  ColumnLimits limits;
  limits.fraction_digits = 0;
  const auto why = [&](std::string text) {
    return narrowed_value(bytes_value(FERRY_TYPE_STRING, text), limits, "ts", '"');
  };
  for (const char* kept : {"2024-01-01 10:00:00", "2024-01-01T10:00:00.000Z", "2024-01-01 10:00:00.0+02",
                           "10:00:00", "10:00:00.000000", "2024-01-01", "not a time", "2024.01.01",
                           "2024.01.01 10:00:00", "20240101100000", "20240101100000.000", "v1.5 at 10:00"})
    EXPECT_EQ(why(kept), std::nullopt) << kept;
  EXPECT_EQ(why("2024-01-01 10:00:00.5"),
            "field \"ts\" has 1 fraction digit in its text, and its column keeps 0 (the server would round it)");
  EXPECT_NE(why("2024-01-01T23:59:59.999999Z"), std::nullopt);
  EXPECT_NE(why("10:00:00.25"), std::nullopt);
  EXPECT_NE(why("Jan 1 10:00:00.5 2024"), std::nullopt);  // not ISO: the fraction still shows
  // Forms without a colon before the seconds, which MariaDB takes and cuts
  // to the column's digits without a warning (checked on 10.11): compact
  // date and time, other delimiters, minutes and seconds, bare seconds.
  for (const char* cut : {"20240101100000.5", "240101100000.5", "100000.5", "2024-01-01 10.00.00.5",
                          "2024-01-01 10*00*00.5", "10:00.5", "1000.5", "5.5", "12.5"})
    EXPECT_NE(why(cut), std::nullopt) << cut;
  // A column that keeps microseconds (timestamp, DATETIME(6)) rounds a
  // seventh digit.
  limits.fraction_digits = 6;
  EXPECT_EQ(why("2024-01-01 10:00:00.123456"), std::nullopt);
  EXPECT_EQ(why("2024-01-01 10:00:00.1234560"), std::nullopt);
  EXPECT_NE(why("2024-01-01 10:00:00.1234567"), std::nullopt);
  limits.fraction_digits = 3;
  EXPECT_EQ(why("2024-01-01 10:00:00.123"), std::nullopt);
  EXPECT_EQ(why("2024-01-01 10:00:00.123000"), std::nullopt);
  EXPECT_EQ(why("2024-01-01 10:00:00.1234"),
            "field \"ts\" has 4 fraction digits in its text, and its column keeps 3 (the server would round it)");
}

// jsonb keeps the last value of a repeated key, MySQL's JSON one of them:
// {"a":1,"a":2} was stored as {"a":2}.
TEST(SqlRowChecks, AJsonColumnRefusesAnObjectThatRepeatsAKey) {
  ColumnLimits limits;
  limits.unique_keys = true;
  EXPECT_FALSE(limits.keeps_all());
  const auto why = [&](FerryType type, std::string text) {
    return narrowed_value(bytes_value(type, text), limits, "doc", '"');
  };
  EXPECT_EQ(why(FERRY_TYPE_JSON, R"({"a":1,"b":{"a":2}})"), std::nullopt);
  EXPECT_EQ(why(FERRY_TYPE_STRING, "[1,1]"), std::nullopt);
  EXPECT_EQ(why(FERRY_TYPE_JSON, R"({"a":1,"a":2})"),
            "field \"doc\" has the key \"a\" twice in one object, and its JSON column would keep only one of its "
            "values");
  EXPECT_NE(why(FERRY_TYPE_STRING, R"([{"k":true,"k":true}])"), std::nullopt);
  // Deeper than Boost.JSON's default of 32 levels.
  const std::string deep = std::string(40, '[') + R"({"a":1,"a":2})" + std::string(40, ']');
  EXPECT_NE(why(FERRY_TYPE_JSON, deep), std::nullopt);
}

// MariaDB's DOUBLE and FLOAT store -0 as 0.
TEST(SqlRowChecks, AColumnWithoutNegativeZeroRefusesIt) {
  ColumnLimits limits;
  limits.no_negative_zero = true;
  EXPECT_FALSE(limits.keeps_all());
  EXPECT_EQ(narrowed_value(double_value(-0.0), limits, "d", '`'), "field `d` is -0, which its column would store as 0");
  EXPECT_EQ(narrowed_value(double_value(0.0), limits, "d", '`'), std::nullopt);
  EXPECT_EQ(narrowed_value(double_value(-1e-300), limits, "d", '`'), std::nullopt);
  // Its text too: MariaDB reads "-0" as 0.
  for (const char* text : {"-0", "-0.0", " -0e3", "-.0"})
    EXPECT_EQ(narrowed_value(bytes_value(FERRY_TYPE_STRING, text), limits, "d", '`'),
              "field `d` is -0, which its column would store as 0")
        << text;
  for (const char* text : {"0", "-0.001", "-1", "x-0"})
    EXPECT_EQ(narrowed_value(bytes_value(FERRY_TYPE_DECIMAL, text), limits, "d", '`'), std::nullopt) << text;
}

}  // namespace
