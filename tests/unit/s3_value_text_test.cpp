// The S3 sink's value text (JSONL and CSV objects): timestamps in ISO 8601,
// whatever the year.
#include <gtest/gtest.h>

#include "plugins/s3/value_text.cpp"

namespace ferry_s3 {
namespace {

std::string iso(int64_t micros) {
  std::string out;
  append_timestamp(out, micros);
  return out;
}

TEST(S3ValueText, TimestampsAreIso8601WithMicroseconds) {
  EXPECT_EQ(iso(1704164645123456), "2024-01-02T03:04:05.123456Z");
  EXPECT_EQ(iso(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(S3ValueText, YearsOutside0000To9999HaveASignAndFourDigitsAtLeast) {
  EXPECT_EQ(iso(-62198755200000000), "-0001-01-01T00:00:00.000000Z");
  EXPECT_EQ(iso(253402300800000000), "+10000-01-01T00:00:00.000000Z");
  EXPECT_EQ(iso(std::numeric_limits<int64_t>::max()), "+294247-01-10T04:00:54.775807Z");
}

}  // namespace
}  // namespace ferry_s3
