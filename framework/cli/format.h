// Small text helpers for command output.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

#include "common/position_text.h"
#include "common/time_text.h"

namespace ferry::cli {

inline std::string format_time(int64_t ms) { return core::iso_utc(ms); }

inline std::string printable(const std::string& s) { return core::printable_position(s); }

inline std::string truncate(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 3) + "...";
}

}  // namespace ferry::cli
