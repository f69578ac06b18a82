// Retry delays: exponential backoff with "equal jitter": a delay is half the
// exponential bound plus a random part of the other half. The random half
// keeps many failing writers from retrying in lockstep; the fixed half makes
// the total patience of a policy a known minimum (the default rides out a
// 30-second outage whatever the dice say). A plugin's hint (Retry-After) is
// a floor, capped at the policy's whole budget (max_elapsed_ms).
#pragma once

#include <cstdint>
#include <random>

#include "engine/stop_source.h"
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

// Sleeps up to `ms`, waking early when the run is stopping. Returns false if
// it is.
bool sleep_unless_stopping(uint64_t ms, const StopSource* stop);

}  // namespace ferry::core
