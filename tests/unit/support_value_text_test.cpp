// support/text: how a value reads in a message, the same in every plugin.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "support/ferry_values.h"
#include "text/value_text.h"

namespace ferry::support {
namespace {

using ferry::test::bytes_value;

TEST(ValueText, NumbersAndTimesReadAsTheyWouldBeWritten) {
  FerryValue v{};
  v.type = FERRY_TYPE_DOUBLE;
  v.as.f64 = 0.1;
  EXPECT_EQ(display_value(v), "0.1");
  v.as.f64 = 1e20;
  EXPECT_EQ(display_value(v), "1e+20");
  v.as.f64 = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(display_value(v), "nan");
  v.as.f64 = -std::numeric_limits<double>::infinity();
  EXPECT_EQ(display_value(v), "-inf");
  v.type = FERRY_TYPE_TIMESTAMP;
  v.as.i64 = 1704164645000000;
  EXPECT_EQ(display_value(v), "2024-01-02T03:04:05Z");
  v.as.i64 = -1;  // before 1970: the fraction counts forward from the second
  EXPECT_EQ(display_value(v), "1969-12-31T23:59:59.999999Z");
  v.type = FERRY_TYPE_INT64;
  v.as.i64 = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(display_value(v), "-9223372036854775808");
  v.type = FERRY_TYPE_NULL;
  EXPECT_EQ(display_value(v), "null");
}

TEST(ValueText, StringsAreQuotedAndLongOnesCutOnACharacterBoundary) {
  EXPECT_EQ(display_value(bytes_value(FERRY_TYPE_STRING, "say \"hi\"\n")), R"("say \"hi\"\n")");
  std::string long_text;
  for (int i = 0; i < 70; ++i) long_text += "\xc3\xa9";  // é, two bytes each
  const std::string shown = display_value(bytes_value(FERRY_TYPE_STRING, long_text));
  std::string first64;
  for (int i = 0; i < 64; ++i) first64 += "\xc3\xa9";
  EXPECT_EQ(shown, "\"" + first64 + "\"...");
  EXPECT_EQ(display_value(bytes_value(FERRY_TYPE_JSON, std::string(100, '1'))), std::string(64, '1') + "...");
  EXPECT_EQ(display_value(bytes_value(FERRY_TYPE_DECIMAL, "-12.50")), "-12.50");
  // Bytes are never printed: they may be anything, secrets included.
  EXPECT_EQ(display_value(bytes_value(FERRY_TYPE_BYTES, std::string("\0\1\2", 3))), "3 bytes");
}

}  // namespace
TEST(ValueText, ARowsReasonsReadAsOneMessage) {
  EXPECT_EQ(ferry::support::join_reasons({}), "");
  EXPECT_EQ(ferry::support::join_reasons({"a is missing"}), "a is missing");
  EXPECT_EQ(ferry::support::join_reasons({"a is missing", "b -3 is below 0"}), "a is missing; b -3 is below 0");
}

}  // namespace ferry::support
