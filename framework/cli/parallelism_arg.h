// "--parallelism auto|N" as the engine takes it (0 = auto).
#pragma once

#include <optional>
#include <string>

#include "cli/commands.h"

namespace ferry::cli {

inline std::optional<uint32_t> parse_parallelism(const std::optional<std::string>& arg) {
  if (!arg) return std::nullopt;
  if (*arg == "auto") return 0u;
  try {
    size_t used = 0;
    long n = std::stol(*arg, &used);
    if (used == arg->size() && n >= 1 && n <= 256) return static_cast<uint32_t>(n);
  } catch (const std::exception&) {
  }
  throw UsageError("--parallelism must be 'auto' or a number from 1 to 256, not '" + *arg + "'");
}

}  // namespace ferry::cli
