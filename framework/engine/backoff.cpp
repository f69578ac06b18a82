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
  std::uniform_real_distribution<double> jitter(bound / 2, bound);
  const uint64_t d = static_cast<uint64_t>(jitter(rng_));
  // A server's Retry-After is honoured, but never past the policy's whole
  // budget: a hint beyond it (or nonsense) becomes "just past the budget",
  // which gives up at once, and no sum of a hint and a clock can overflow.
  return std::max(d, std::min(hint_ms, policy_.max_elapsed_ms + 1));
}

bool sleep_unless_stopping(uint64_t ms, const StopSource* stop) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (stop && stop->stopping()) return false;
    auto left = end - std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(20)));
  }
  return !(stop && stop->stopping());
}

}  // namespace ferry::core
