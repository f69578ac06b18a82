// Names made from data (a partition, a position) that must be safe in a
// file name or an object key and the same every time: the file sink's
// batch files and the s3 sink's keys, which a replayed batch must hit again.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::support {

// 32-bit FNV-1a: short, stable across builds and machines, not a secret.
uint32_t fnv1a32(std::string_view s);
// Eight lowercase hex digits.
std::string hex8(uint32_t v);
// [A-Za-z0-9._-]: safe in a file name and an S3 key on every system.
bool is_safe_name_char(char c);
// Every byte outside those replaced with '_'.
std::string safe_name(std::string_view s);
// A backfill window's ISO 8601 start without its '-' and ':'
// ("2026-01-01T00:00:00Z" -> "20260101T000000Z"): a name part that tells
// windows apart, short and readable. Two ISO times never differ in those
// characters alone.
std::string compact_time(std::string_view iso);

}  // namespace ferry::support
