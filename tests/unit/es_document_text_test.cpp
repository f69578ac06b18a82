// The Elasticsearch sink's JSON value text: timestamps in the ISO 8601 form
// Elasticsearch's date parser (java.time) reads, whatever the year.
#include <gtest/gtest.h>

#include "plugins/elasticsearch/json_text.cpp"

namespace ferry_es {
namespace {

std::string iso(int64_t micros) {
  std::string out;
  append_iso8601_micros(out, micros);
  return out;
}

TEST(EsDocumentText, TimestampsAreIso8601WithMicroseconds) {
  EXPECT_EQ(iso(1704164645123456), "\"2024-01-02T03:04:05.123456Z\"");
  EXPECT_EQ(iso(-1), "\"1969-12-31T23:59:59.999999Z\"");
}

TEST(EsDocumentText, YearsOutside0000To9999HaveASignAndFourDigitsAtLeast) {
  EXPECT_EQ(iso(-62198755200000000), "\"-0001-01-01T00:00:00.000000Z\"");
  EXPECT_EQ(iso(-62167219200000000), "\"0000-01-01T00:00:00.000000Z\"");
  EXPECT_EQ(iso(253402300800000000), "\"+10000-01-01T00:00:00.000000Z\"");
  EXPECT_EQ(iso(std::numeric_limits<int64_t>::min()), "\"-290308-12-21T19:59:05.224192Z\"");
}

}  // namespace
}  // namespace ferry_es
