// Reading PostgreSQL's binary result format (the types' *_send forms) into
// Ferry values, for the source: integers and floats big-endian, booleans
// one byte, timestamps as microseconds since 2000-01-01.
#ifndef FERRY_PLUGINS_POSTGRES_BINARY_VALUES_H_
#define FERRY_PLUGINS_POSTGRES_BINARY_VALUES_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace ferry_pg {

// Microseconds from 1970-01-01 to 2000-01-01, the epoch of the server's
// binary timestamps.
inline constexpr int64_t kPgEpochMicros = 946684800LL * 1000000;

enum class TimestampParse {
  kOk,
  kInfinite,    // 'infinity' / '-infinity': no microsecond value exists
  kOutOfRange,  // valid in PostgreSQL, beyond int64 microseconds since 1970
  kBad,
};

// int2, int4, int8 (signed) and oid (unsigned 4 bytes); nullopt for any
// other length.
std::optional<int64_t> read_binary_int(std::string_view bytes, bool is_oid);

// float4 or float8; nullopt for any other length. A float4 becomes the
// double its text reads as (1.1, not 1.100000023841858): the shortest
// digits that give back the same float, as the server prints it.
std::optional<double> read_binary_float(std::string_view bytes);

// timestamp or timestamptz: microseconds since 1970-01-01 UTC. kInfinite
// for 'infinity' and '-infinity', kOutOfRange beyond int64 microseconds
// since 1970, kBad for a length other than 8.
TimestampParse read_binary_timestamp(std::string_view bytes, int64_t* micros);

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_BINARY_VALUES_H_
