// Timestamp text written once for every plugin (support/time).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "text/value_text.h"
#include "time/timestamp_parse.h"
#include "time/timestamp_text.h"

namespace ferry::support {
namespace {

std::string year(int64_t y) {
  char text[kTimestampTextMax];
  return std::string(text, put_iso_year(text, y));
}

std::string iso(int64_t micros) {
  std::string out;
  append_iso_timestamp(out, micros);
  return out;
}

TEST(TimestampText, YearsAreFourDigitsOrSignedAndExpanded) {
  EXPECT_EQ(year(0), "0000");
  EXPECT_EQ(year(7), "0007");
  EXPECT_EQ(year(9999), "9999");
  EXPECT_EQ(year(10000), "+10000");
  EXPECT_EQ(year(-1), "-0001");
  EXPECT_EQ(year(-12345), "-12345");
  EXPECT_EQ(year(-292277), "-292277");
}

TEST(TimestampText, DateAndTimeWithAndWithoutFraction) {
  const UtcTime t = utc_from_micros(1704164645000123);
  char text[kTimestampTextMax];
  EXPECT_EQ(std::string(text, put_date_and_time(text, t, 'T', true)), "-01-02T03:04:05.000123");
  EXPECT_EQ(std::string(text, put_date_and_time(text, t, ' ', false)), "-01-02 03:04:05");
}

TEST(TimestampText, EveryInstantFitsTheRoomGiven) {
  EXPECT_EQ(iso(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(iso(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(iso(std::numeric_limits<int64_t>::min()), "-290308-12-21T19:59:05.224192Z");
  EXPECT_EQ(iso(std::numeric_limits<int64_t>::max()), "+294247-01-10T04:00:54.775807Z");
  EXPECT_LT(iso(std::numeric_limits<int64_t>::min()).size() + 2, kTimestampTextMax);
}

TEST(TimestampText, MessagesShowTheFractionOnlyWhenThereIsOne) {
  EXPECT_EQ(iso_timestamp(1704164645000000), "2024-01-02T03:04:05Z");
  EXPECT_EQ(iso_timestamp(1704164645000001), "2024-01-02T03:04:05.000001Z");
  EXPECT_EQ(iso_timestamp(-62198755200000000), "-0001-01-01T00:00:00Z");
}

// One reader, two grammars: the file source's (zone optional, date alone,
// expanded years) and the map cast's (zone and seconds required).
TEST(TimestampParse, EachGrammarTakesWhatItSays) {
  TimestampGrammar strict;
  strict.zone_required = true;
  strict.seconds_required = true;
  strict.date_only = false;
  strict.expanded_years = false;
  EXPECT_EQ(parse_iso_timestamp("2024-01-02T05:04:05+02"), 1704164645000000);
  EXPECT_EQ(parse_iso_timestamp("2024-01-02T05:04:05+02", strict), 1704164645000000);
  EXPECT_EQ(parse_iso_timestamp("2024-01-02 03:04"), 1704164640000000);
  EXPECT_FALSE(parse_iso_timestamp("2024-01-02 03:04Z", strict));
  EXPECT_FALSE(parse_iso_timestamp("2024-01-02T03:04:05", strict));
  EXPECT_FALSE(parse_iso_timestamp("2024-01-02", strict));
  EXPECT_EQ(parse_iso_timestamp("-0001-01-01"), -62198755200000000);
  EXPECT_FALSE(parse_iso_timestamp("-0001-01-01T00:00:00Z", strict));
  for (const TimestampGrammar& g : {TimestampGrammar{}, strict}) {
    EXPECT_FALSE(parse_iso_timestamp("2016-12-31T23:59:60Z", g));  // a real leap second, still refused
    EXPECT_FALSE(parse_iso_timestamp("2024-01-02T03:04:05.1234567890Z", g));
    EXPECT_FALSE(parse_iso_timestamp("2024-01-02T03:04:05Zx", g));
  }
}

}  // namespace
}  // namespace ferry::support
