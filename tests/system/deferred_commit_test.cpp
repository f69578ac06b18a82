// Commits a sink acknowledges later (ABI 1.10, FERRY_CAP_DEFERRED_COMMIT):
// batches stay in flight while the next ones are written, settle in the
// order they were read, and the checkpoint never passes one that did not
// land. The sink is scenario-deferred (tests/plugins/scenario_plugin.cpp),
// which counts the writes of every key.
#include <gtest/gtest.h>

#include <map>

#include "support/scenario_env.h"

namespace {

using ferry::core::DlqStatus;
using ferry::test::ScenarioDir;
using ferry::test::sqlite_rows;

// 40 records of partition p0 in batches of 5: batch b holds p0-(5b-4) to
// p0-5b. The reader runs up to queue_depth (4) batches ahead; the worker
// settles a batch in flight once 4 wait behind it, or when the reader has
// nothing new. `source_config` adds to the source's options.
std::string pipeline(const std::string& sinks, const std::string& source_config = "") {
  return R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 40)" +
         source_config + R"(}},
    "batch": {"max_records": 5, "queue_depth": 4},
    "retry": {"max_attempts": 3, "initial_delay_ms": 1, "max_delay_ms": 2},
    "sinks": [)" +
         sinks + "]}";
}

std::string deferred(const std::string& config) {
  return R"({"name": "def", "plugin": "scenario-deferred", "config": {)" + config + "}}";
}

// How often each key was written into `sink`.
std::map<std::string, int> writes(const ScenarioDir& d, const std::string& sink) {
  std::map<std::string, int> out;
  for (const auto& r : sqlite_rows(d.file(sink + ".db"), "SELECT key, writes FROM rows")) out[r[0]] = std::stoi(r[1]);
  return out;
}

int batch_of(const std::string& key) { return (std::stoi(key.substr(3)) - 1) / 5 + 1; }

// The state store's checkpoint of p0, as the last id it passed (0: none).
int checkpointed(const ScenarioDir& d) {
  auto cp = d.state()->load_checkpoint("sc", "p0");
  return cp ? std::stoi(cp->position) : 0;
}

void expect_all_forty(const ScenarioDir& d, const ferry::test::ProcessResult& r) {
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(writes(d, "def").size(), 40u) << r.err;
  EXPECT_TRUE(d.dlq(DlqStatus::Pending).empty()) << r.err;
  EXPECT_EQ(checkpointed(d), 40);
}

// Batch 1's commit fails only when it is awaited, after batches 2 to 5 went
// out behind it. Batch 1 is written again, and so is each of 2 to 5 after
// it (a key in both would otherwise end with batch 1's older value); the
// batches read later are written once. The sink's first write waits until
// the source began its sixth read, so batches 2 to 5 are queued by then
// and none of them finds the reader idle.
TEST(DeferredCommit, APendingCommitThatFailsIsWrittenAgainAndSoIsEveryLaterOneInFlight) {
  ScenarioDir d;
  const std::string read_ahead = d.file("read-ahead");
  d.define(pipeline(deferred(R"("commit_retry_calls": [1], "block_file": ")" + read_ahead + R"(")"),
                    R"(, "touch_file": ")" + read_ahead + R"(", "touch_at_read": 6)"));
  auto r = d.run();
  expect_all_forty(d, r);
  for (const auto& [key, n] : writes(d, "def")) {
    const int b = batch_of(key);
    EXPECT_EQ(n, b >= 2 && b <= 5 ? 2 : 1) << key << " of batch " << b;
  }
}

// Without faults every batch is written once and the run ends checkpointed.
TEST(DeferredCommit, EveryBatchLandsOnceAndTheRunEndsCheckpointed) {
  ScenarioDir d;
  d.define(pipeline(deferred("")));
  auto r = d.run();
  expect_all_forty(d, r);
  for (const auto& [key, n] : writes(d, "def")) EXPECT_EQ(n, 1) << key;
}

// A transactional sink beside it needs one batch in doubt at a time (the
// commit intent), so nothing is deferred: the failed commit is retried
// before the next batch is written, and no batch is written twice.
TEST(DeferredCommit, BesideATransactionalSinkCommitsAreNotDeferred) {
  ScenarioDir d;
  d.define(pipeline(R"({"name": "tx", "plugin": "scenario", "config": {}}, )" +
                    deferred(R"("commit_retry_calls": [1])")));
  auto r = d.run();
  expect_all_forty(d, r);
  EXPECT_EQ(d.sink("tx").total(), 40u);
  for (const auto& [key, n] : writes(d, "def")) EXPECT_EQ(n, 1) << key;
}

// Killed while commits are in flight, at several points: the checkpoint
// never passes a record that is not in the sink, and the next run brings
// every record.
TEST(DeferredCommit, AKillWithCommitsInFlightNeverLeavesTheCheckpointPastALandedBatch) {
  for (const char* point : {"before_commit", "after_commit"})
    for (int at : {2, 5, 6, 8}) {
      SCOPED_TRACE(std::string(point) + " " + std::to_string(at));
      ScenarioDir d;
      d.define(pipeline(deferred(R"("crash_point": ")" + std::string(point) + R"(", "crash_at": )" +
                                 std::to_string(at))));
      auto crashed = d.run();
      ASSERT_EQ(crashed.exit_code, 86) << crashed.err;
      const int passed = checkpointed(d);
      const auto landed = writes(d, "def");
      for (int id = 1; id <= passed; ++id)
        EXPECT_TRUE(landed.count("p0-" + std::to_string(id))) << "the checkpoint passed p0-" << id;
      d.define(pipeline(deferred("")));
      expect_all_forty(d, d.run());
    }
}

}  // namespace
