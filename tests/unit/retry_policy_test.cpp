// The default retry policy rides out a short outage of a target server
// instead of turning it into dead letters.
#include <gtest/gtest.h>

#include "engine/backoff.h"

namespace {

using ferry::core::Backoff;
using ferry::core::RetryPolicy;

// How long a writer following `policy` keeps trying before it gives up:
// the sum of the delays it sleeps, as the sink writer decides them.
uint64_t patience_ms(const RetryPolicy& policy, uint64_t seed) {
  Backoff backoff(policy, seed);
  uint64_t waited = 0;
  for (uint32_t attempt = 1; attempt < policy.max_attempts; ++attempt) {
    const uint64_t delay = backoff.delay_ms(attempt, 0);
    if (waited + delay > policy.max_elapsed_ms) break;
    waited += delay;
  }
  return waited;
}

TEST(RetryPolicyDefaults, RideOutAThirtySecondOutageWhateverTheJitter) {
  const RetryPolicy defaults;
  for (uint64_t seed = 0; seed < 2000; ++seed)
    ASSERT_GE(patience_ms(defaults, seed), 30000u) << "seed " << seed;
}

TEST(RetryPolicyDefaults, GiveUpWithinTwoMinutes) {
  const RetryPolicy defaults;
  for (uint64_t seed = 0; seed < 2000; ++seed) ASSERT_LE(patience_ms(defaults, seed), 120000u) << "seed " << seed;
}

// A server's Retry-After is honoured above the policy's own delays, but no
// hint reaches past the policy's whole budget (nor overflows a clock).
TEST(Backoff, APluginHintIsAFloorCappedByThePolicysBudget) {
  RetryPolicy p;
  p.max_delay_ms = 200;
  p.max_elapsed_ms = 60000;
  Backoff b(p, 1);
  EXPECT_EQ(b.delay_ms(1, 1000), 1000u);
  EXPECT_EQ(b.delay_ms(1, 60000), 60000u);
  EXPECT_EQ(b.delay_ms(1, 3600000), 60001u);  // past the budget: give up
  EXPECT_EQ(b.delay_ms(1, UINT64_MAX), 60001u);
  EXPECT_LE(b.delay_ms(1, 0), 200u);
}

}  // namespace
