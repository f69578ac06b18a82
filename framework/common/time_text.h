// Times as Ferry prints them: ISO 8601 in UTC, to the second.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

namespace ferry::core {

// "2026-12-04T09:30:00Z" for unix milliseconds; "-" for none (0 or less).
inline std::string iso_utc(int64_t ms) {
  if (ms <= 0) return "-";
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace ferry::core
