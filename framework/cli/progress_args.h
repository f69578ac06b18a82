// How a command shows progress: a status line on a terminal, else a log
// line every --progress-interval seconds (0: never), and nothing with
// --no-progress.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdint>

#include "engine/engine.h"

namespace ferry::cli {

inline void apply_progress(bool off, int64_t interval_seconds, core::EngineOptions& options) {
  if (off) return;
  if (isatty(STDERR_FILENO)) {
    options.progress = true;
    return;
  }
  options.progress_every = std::chrono::seconds(interval_seconds);
}

}  // namespace ferry::cli
