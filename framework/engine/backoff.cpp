#include "engine/backoff.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

namespace ferry::core {

uint64_t Backoff::delay_ms(uint32_t attempt, uint64_t hint_ms) {
  double bound = static_cast<double>(policy_.initial_delay_ms) *
                 std::pow(policy_.multiplier, static_cast<double>(attempt > 0 ? attempt - 1 : 0));
  bound = std::min(bound, static_cast<double>(policy_.max_delay_ms));
  std::uniform_real_distribution<double> jitter(0.0, bound);
  uint64_t d = static_cast<uint64_t>(jitter(rng_));
  return std::max(d, hint_ms);
}

bool sleep_unless_cancelled(uint64_t ms, const std::atomic<bool>* cancel) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (cancel && cancel->load()) return false;
    auto left = end - std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(20)));
  }
  return !(cancel && cancel->load());
}

}  // namespace ferry::core
