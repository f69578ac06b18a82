// Small text helpers for command output.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

namespace ferry::cli {

inline std::string format_time(int64_t ms) {
  if (ms <= 0) return "-";
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Positions are opaque bytes; show them as text when they are printable.
inline std::string printable(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      std::string out = "0x";
      for (unsigned char b : s) {
        out += hex[b >> 4];
        out += hex[b & 15];
      }
      return out;
    }
  return s;
}

inline std::string truncate(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 3) + "...";
}

}  // namespace ferry::cli
