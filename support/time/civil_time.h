// The proleptic Gregorian calendar for Ferry's timestamps (microseconds
// since 1970-01-01 UTC, the ABI's TIMESTAMP). Howard Hinnant's
// days_from_civil / civil_from_days, valid for every year an int64
// microsecond count reaches. Each plugin keeps its own text format (a
// database's literal, ISO 8601 with or without fraction); the arithmetic is
// here once.
#pragma once

#include <cstdint>

namespace ferry::support {

// Days since 1970-01-01 of year-month-day (month 1-12, day 1-31).
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);
void civil_from_days(int64_t days, int64_t* year, unsigned* month, unsigned* day);

bool is_leap_year(int64_t year);
unsigned days_in_month(int64_t year, unsigned month);

// A timestamp's UTC calendar fields. Split with floor division, so an
// instant before 1970 still has a fraction in [0, 999999].
struct UtcTime {
  int64_t year = 1970;
  unsigned month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int64_t micros = 0;  // fraction of the second
};
UtcTime utc_from_micros(int64_t micros);

}  // namespace ferry::support
