// What the progress line says: the share of the estimated records, the
// rate and the time left, overall and per running partition.
#include <gtest/gtest.h>

#include "engine/progress.h"

namespace {

using ferry::core::Progress;
using namespace std::chrono_literals;

TEST(Progress, ShareRateAndEtaFromTheEstimates) {
  const auto t0 = Progress::Clock::now();
  Progress p("orders", t0);
  p.expect("p0", 1000);
  p.expect("p1", 3000);
  p.started("p0", 1000, 0);
  p.read("p0", 1000);
  p.finished("p0");
  p.started("p1", 3000, 500);  // 500 committed by an earlier run
  p.read("p1", 500);
  // 2,000 of 4,000 records done; 1,500 read in 3 s: 500/s, 2,000 left.
  EXPECT_EQ(p.line(t0 + 3s), "orders: 50% · 2,000 of ~4,000 records · 500 records/s · ETA 4s · "
                             "partitions 1 of 2 done · p1 33%");
}

TEST(Progress, WithoutEstimatesItCountsAndSaysNoEta) {
  const auto t0 = Progress::Clock::now();
  Progress p("orders", t0);
  p.started("only", 0, 0);
  p.read("only", 12345);
  EXPECT_EQ(p.line(t0 + 10s), "orders: 12,345 records · 1,234 records/s");
}

TEST(Progress, AnEstimateTooLowNeverShowsMoreThanAllOrANegativeEta) {
  const auto t0 = Progress::Clock::now();
  Progress p("x", t0);
  p.started("a", 100, 0);
  p.read("a", 150);
  EXPECT_EQ(p.line(t0 + 1s), "x: 100% · 150 of ~150 records · 150 records/s · ETA 0s");
}

TEST(Progress, DurationsReadLikeAClock) {
  EXPECT_EQ(ferry::core::duration_text(45), "45s");
  EXPECT_EQ(ferry::core::duration_text(185), "3m 05s");
  EXPECT_EQ(ferry::core::duration_text(7800), "2h 10m");
  EXPECT_EQ(ferry::core::grouped(1234567), "1,234,567");
  EXPECT_EQ(ferry::core::grouped(12), "12");
}

}  // namespace
