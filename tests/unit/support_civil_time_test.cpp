// The calendar every plugin's timestamp text is built on (support/time).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "time/civil_time.h"

namespace ferry::support {
namespace {

TEST(CivilTime, KnownDates) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(0, 1, 1), -719528);  // 1 BC in ISO years
  EXPECT_TRUE(is_leap_year(2000));
  EXPECT_FALSE(is_leap_year(1900));
  EXPECT_TRUE(is_leap_year(2024));
  EXPECT_EQ(days_in_month(2024, 2), 29u);
  EXPECT_EQ(days_in_month(2023, 2), 28u);
  EXPECT_EQ(days_in_month(2023, 12), 31u);
}

TEST(CivilTime, EveryDayOfFourCenturiesComesBack) {
  int64_t expected = days_from_civil(1800, 1, 1);
  for (int64_t y = 1800; y < 2200; ++y)
    for (unsigned m = 1; m <= 12; ++m)
      for (unsigned d = 1; d <= days_in_month(y, m); ++d) {
        ASSERT_EQ(days_from_civil(y, m, d), expected) << y << "-" << m << "-" << d;
        int64_t yy = 0;
        unsigned mm = 0, dd = 0;
        civil_from_days(expected, &yy, &mm, &dd);
        ASSERT_EQ(yy, y);
        ASSERT_EQ(mm, m);
        ASSERT_EQ(dd, d);
        ++expected;
      }
}

TEST(CivilTime, AnInstantBefore1970KeepsAPositiveFraction) {
  const UtcTime t = utc_from_micros(-1);  // 1969-12-31T23:59:59.999999Z
  EXPECT_EQ(t.year, 1969);
  EXPECT_EQ(t.month, 12u);
  EXPECT_EQ(t.day, 31u);
  EXPECT_EQ(t.hour, 23u);
  EXPECT_EQ(t.minute, 59u);
  EXPECT_EQ(t.second, 59u);
  EXPECT_EQ(t.micros, 999999);

  const UtcTime u = utc_from_micros(1700000000123456);  // 2023-11-14T22:13:20.123456Z
  EXPECT_EQ(u.year, 2023);
  EXPECT_EQ(u.month, 11u);
  EXPECT_EQ(u.day, 14u);
  EXPECT_EQ(u.hour, 22u);
  EXPECT_EQ(u.minute, 13u);
  EXPECT_EQ(u.second, 20u);
  EXPECT_EQ(u.micros, 123456);
}

TEST(CivilTime, TheWholeInt64RangeSplitsWithoutOverflow) {
  const UtcTime lo = utc_from_micros(std::numeric_limits<int64_t>::min());
  EXPECT_EQ(lo.year, -290308);
  EXPECT_EQ(lo.micros, 224192);
  const UtcTime hi = utc_from_micros(std::numeric_limits<int64_t>::max());
  EXPECT_EQ(hi.year, 294247);
  EXPECT_EQ(hi.month, 1u);
  EXPECT_EQ(hi.day, 10u);
  EXPECT_EQ(hi.micros, 775807);
}

}  // namespace
}  // namespace ferry::support
