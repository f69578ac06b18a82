#include "binary_values.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace ferry_pg {
namespace {

uint64_t big_endian(std::string_view bytes) {
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

}  // namespace

std::optional<int64_t> read_binary_int(std::string_view bytes, bool is_oid) {
  const uint64_t v = big_endian(bytes);
  switch (bytes.size()) {
    case 2: return static_cast<int16_t>(v);
    case 4: return is_oid ? static_cast<int64_t>(static_cast<uint32_t>(v)) : static_cast<int32_t>(v);
    case 8: return static_cast<int64_t>(v);
    default: return std::nullopt;
  }
}

std::optional<double> read_binary_float(std::string_view bytes) {
  if (bytes.size() == 4) {
    const auto bits = static_cast<uint32_t>(big_endian(bytes));
    float f;
    std::memcpy(&f, &bits, sizeof f);
    if (!std::isfinite(f)) return static_cast<double>(f);
    char text[32];
    const auto end = std::to_chars(text, text + sizeof text, f).ptr;
    double d = 0;
    std::from_chars(text, end, d);
    return d;
  }
  if (bytes.size() == 8) {
    const uint64_t bits = big_endian(bytes);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  return std::nullopt;
}

TimestampParse read_binary_timestamp(std::string_view bytes, int64_t* micros) {
  if (bytes.size() != 8) return TimestampParse::kBad;
  const auto v = static_cast<int64_t>(big_endian(bytes));
  // The server's DT_NOBEGIN and DT_NOEND.
  if (v == std::numeric_limits<int64_t>::min() || v == std::numeric_limits<int64_t>::max())
    return TimestampParse::kInfinite;
  if (v > std::numeric_limits<int64_t>::max() - kPgEpochMicros) return TimestampParse::kOutOfRange;
  *micros = v + kPgEpochMicros;
  return TimestampParse::kOk;
}

}  // namespace ferry_pg
