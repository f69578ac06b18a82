// ISO 8601 timestamp text read into Ferry timestamps (microseconds since
// 1970 UTC): one reader for every plugin that takes timestamps as text, each
// choosing how much of the standard it accepts.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ferry::support {

// What a reader accepts beyond "YYYY-MM-DD<T|t|space>HH:MM:SS[.f{1,9}]<zone>",
// with the zone "Z", "z", "±HH:MM", "±HHMM" or "±HH". A fraction past
// microseconds is cut. A leap second (":60") is always refused: it has no
// microsecond count of its own, and rolling it into the next minute would
// change the value.
struct TimestampGrammar {
  bool zone_required = false;     // false: a time without a zone is UTC (never the machine's zone)
  bool seconds_required = false;  // false: "HH:MM" is a time too
  bool date_only = true;          // "YYYY-MM-DD" alone is that day's midnight UTC
  bool expanded_years = true;     // "+10000-01-01", "-0001-01-01": a sign and 4 to 6 digits
};

// nullopt when the text is not a timestamp of the grammar, names no day of
// the calendar, or lies beyond what int64 microseconds hold.
std::optional<int64_t> parse_iso_timestamp(std::string_view s, const TimestampGrammar& grammar = {});

}  // namespace ferry::support
