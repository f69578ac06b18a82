// Small text helpers for command output.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

#include "common/time_text.h"

namespace ferry::cli {

inline std::string format_time(int64_t ms) { return core::iso_utc(ms); }

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
