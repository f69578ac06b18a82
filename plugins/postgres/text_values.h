// Parsing PostgreSQL's text output (session set up by Connection: UTC,
// ISO dates, hex bytea) into Ferry values.
#ifndef FERRY_PLUGINS_POSTGRES_TEXT_VALUES_H_
#define FERRY_PLUGINS_POSTGRES_TEXT_VALUES_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ferry_pg {

enum class TimestampParse {
  kOk,
  kInfinite,    // 'infinity' / '-infinity': no microsecond value exists
  kOutOfRange,  // valid in PostgreSQL, beyond int64 microseconds since 1970
  kBad,
};

// "2024-03-10 06:30:00.5+00", "0044-03-15 00:00:00 BC", "10000-01-01 00:00:00",
// with or without a UTC offset (+05, +05:30, -08:00:00); a value without an
// offset is taken as UTC. Result: microseconds since 1970-01-01 UTC.
TimestampParse parse_timestamp(std::string_view text, int64_t* micros);


}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_TEXT_VALUES_H_
