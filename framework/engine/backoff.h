// Retry delays: exponential backoff with full jitter (a uniformly random
// delay up to the exponential bound), so that many failing writers do not
// retry in lockstep; a plugin's hint (Retry-After) is a floor.
#pragma once

#include <atomic>
#include <cstdint>
#include <random>

#include "pipeline/definition.h"

namespace ferry::core {

class Backoff {
 public:
  explicit Backoff(const RetryPolicy& policy, uint64_t seed = std::random_device{}())
      : policy_(policy), rng_(seed) {}

  // Delay before attempt `attempt + 1`, given `attempt` failed attempts (>= 1).
  uint64_t delay_ms(uint32_t attempt, uint64_t hint_ms);

 private:
  RetryPolicy policy_;
  std::mt19937_64 rng_;
};

// Sleeps up to `ms`, waking early when `cancel` is set. Returns false if
// cancelled.
bool sleep_unless_cancelled(uint64_t ms, const std::atomic<bool>* cancel);

}  // namespace ferry::core
