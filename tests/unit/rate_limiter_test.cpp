// The token bucket behind --rate: how long a debt of tokens takes to repay.
#include <gtest/gtest.h>

#include <chrono>

#include "engine/rate_limiter.h"

namespace ferry::core {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateLimiter, ADebtTakesItsTimeToRepay) {
  EXPECT_EQ(RateLimiter::wait_for(1, 1), seconds(1));
  EXPECT_EQ(RateLimiter::wait_for(10, 1000), milliseconds(10));
}

// A rate so low that the wait overflows the clock's nanoseconds must still
// wait, not let everything through.
TEST(RateLimiter, ATinyRateWaitsAtLeastAYearInsteadOfNotAtAll) {
  for (const double rate : {1e-9, 1e-15, 1e-300, 4e-324})
    EXPECT_GE(RateLimiter::wait_for(10, rate), hours(24 * 365)) << rate;
}

}  // namespace
}  // namespace ferry::core
