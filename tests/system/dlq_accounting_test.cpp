// Every failed row gets its own DLQ entry, also when rows share a position,
// and replay finds its entries without reading anything into positions.
#include <gtest/gtest.h>

#include "support/scenario_env.h"

namespace {

using ferry::core::DlqStatus;
using ferry::test::ScenarioDir;

// The ABI does not make positions unique: here every row of a batch carries
// the batch's end. Each rejected row is still one entry.
TEST(DlqAccounting, RowsThatShareAPositionKeepOneEntryEach) {
  ScenarioDir d;
  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 60, "same_position": true}},
    "batch": {"max_records": 20},
    "sinks": [{"name": "tx", "plugin": "scenario", "config": {"reject_mod": 3}}]})");
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t missing = 60 - d.sink("tx").total();
  ASSERT_GT(missing, 3u);
  EXPECT_EQ(d.dlq(DlqStatus::Pending).size(), missing);
}

// A transform that rewrites positions (its right: positions are opaque).
TEST(DlqAccounting, ReplayDoesNotReadMeaningIntoPositions) {
  ScenarioDir d;
  auto define = [&](const std::string& sink) {
    d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "scenario", "config": {"count": 30}},
      "transforms": [{"name": "t", "plugin": "scenario", "config": {"position_prefix": "row-"}}],
      "batch": {"max_records": 10},
      "sinks": [{"name": "tx", "plugin": "scenario", "config": )" + sink + "}]}");
  };
  define(R"({"reject_mod": 4})");
  ASSERT_EQ(d.run().exit_code, 0);
  const size_t failed = d.dlq(DlqStatus::Pending).size();
  ASSERT_GT(failed, 2u);
  define("{}");
  auto replay = d.replay();
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_EQ(d.sink("tx").total(), 30u);
  EXPECT_EQ(d.dlq(DlqStatus::Resolved).size(), failed);
}

}  // namespace
