// ISO-8601 timestamps <-> microseconds since 1970-01-01 UTC. Pure C++.
#ifndef FERRY_PLUGINS_FILE_TIMESTAMP_H_
#define FERRY_PLUGINS_FILE_TIMESTAMP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry_file {

// Accepts "YYYY-MM-DD" and "YYYY-MM-DD[T| ]HH:MM[:SS[.f{1,9}]][Z|±HH[:MM]|±HHMM]";
// the year also in ISO 8601's expanded form, a sign and 4 to 6 digits
// ("+10000", "-0001"), so that every instant the file sink writes reads back.
// Without a zone the time is taken as UTC (never the machine's zone, so a
// run gives the same result everywhere). Digits past microseconds are cut;
// a leap second is refused. (support/time's grammar with every option.)
std::optional<int64_t> parse_timestamp(std::string_view s);

// "2024-01-02T03:04:05.123456Z": always UTC, always six fraction digits;
// years outside 0000-9999 expanded ("+10000-01-01T00:00:00.000000Z").
void append_timestamp(std::string& out, int64_t micros);

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_TIMESTAMP_H_
