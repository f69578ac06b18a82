// The lag a change-data-capture source reports: the age of the oldest
// change handed to the host that not every sink committed.
#include <gtest/gtest.h>

#include "cdc/cdc_lag.h"

namespace {

using ferry::support::CdcLag;
using namespace std::chrono_literals;

const CdcLag::Clock::time_point t0 = CdcLag::Clock::time_point{} + 1000h;

TEST(CdcLag, TheFirstCommitOfTheOldestUnacknowledgedBatchSetsTheLag) {
  CdcLag lag;
  EXPECT_EQ(lag.seconds(t0), 0);
  lag.add(t0);
  lag.add(t0 + 5s);  // a later transaction of the same batch
  lag.handed("a");
  lag.add(t0 + 10s);
  lag.handed("b");
  EXPECT_DOUBLE_EQ(lag.seconds(t0 + 20s), 20);
  lag.acknowledged("a");
  EXPECT_DOUBLE_EQ(lag.seconds(t0 + 20s), 10);
  lag.acknowledged("b");
  EXPECT_EQ(lag.seconds(t0 + 20s), 0);
}

TEST(CdcLag, ABatchWithoutChangesWaitsForNothing) {
  CdcLag lag;
  lag.handed("empty");
  EXPECT_EQ(lag.seconds(t0), 0);
  lag.acknowledged("empty");
  lag.acknowledged("never handed");
  EXPECT_EQ(lag.seconds(t0), 0);
}

TEST(CdcLag, ABatchDroppedOnReconnectIsTimedFromItsRebuild) {
  CdcLag lag;
  lag.add(t0);
  lag.dropped();
  lag.add(t0 + 30s);
  lag.handed("x");
  EXPECT_DOUBLE_EQ(lag.seconds(t0 + 40s), 10);
}

TEST(CdcLag, AnAcknowledgementCoversEveryBatchBeforeIt) {
  CdcLag lag;
  lag.add(t0);
  lag.handed("1");
  lag.add(t0 + 1s);
  lag.handed("2");
  lag.add(t0 + 2s);
  lag.handed("3");
  lag.acknowledged("2");
  EXPECT_DOUBLE_EQ(lag.seconds(t0 + 10s), 8);
}

}  // namespace
