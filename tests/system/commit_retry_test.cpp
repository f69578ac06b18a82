// The DLQ holds exactly the rows that did not commit, whatever path the
// commit took: a commit retried after RETRY, a commit whose reply was lost,
// several sinks committing one after another around a crash.
#include <gtest/gtest.h>

#include <set>

#include "support/scenario_env.h"

namespace {

using ferry::core::DlqStatus;
using ferry::test::ScenarioDir;

std::string pipeline(const std::string& sinks, int count = 30) {
  return R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": )" +
         std::to_string(count) + R"(}},
    "batch": {"max_records": 10},
    "retry": {"max_attempts": 3, "initial_delay_ms": 1, "max_delay_ms": 2},
    "sinks": [)" + sinks + "]}";
}

std::set<std::string> pending_keys(const ScenarioDir& d, const std::string& sink) {
  std::set<std::string> out;
  for (const auto& e : d.dlq(DlqStatus::Pending))
    if (e.sink == sink) out.insert(e.record_key);
  return out;
}

// After "write 1 rejects p0-3; the commit answers RETRY; write 2 rejects
// p0-5" committed: p0-3 is in the sink once and not pending, p0-5 the
// other way round.
void expect_second_attempt_committed(ScenarioDir& d, const ferry::test::ProcessResult& r) {
  auto rows = d.sink("tx");
  EXPECT_EQ(rows.copies("p0-3"), 1u);
  EXPECT_EQ(rows.copies("p0-5"), 0u);
  EXPECT_EQ(rows.total(), 29u);
  EXPECT_EQ(pending_keys(d, "tx"), (std::set<std::string>{"p0-5"})) << r.out << r.err;
}

// The run finished with each of the 30 rows in sink "tx" once, none in
// the DLQ.
void expect_every_row_once(ScenarioDir& d, const ferry::test::ProcessResult& r) {
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = d.sink("tx");
  EXPECT_EQ(rows.total(), 30u) << r.err;
  EXPECT_EQ(rows.values.size(), 30u);
  EXPECT_TRUE(d.dlq(DlqStatus::Pending).empty());
}

// Write 1 rejects p0-3; the commit answers RETRY; the batch is written again
// and this time p0-5 is rejected (p0-3 is not). p0-3 committed, so it must
// not wait in the DLQ; p0-5 did not, so it must.
TEST(CommitRetry, TheDlqHoldsTheRejectsOfTheAttemptThatCommitted) {
  ScenarioDir d;
  d.define(pipeline(R"({"name": "tx", "plugin": "scenario",
      "config": {"reject_plan": [["p0-3"], ["p0-5"]], "commit_retry_calls": [1]}})"));
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_second_attempt_committed(d, r);
}

// Retries gave up on p0-4 and p0-6 (dead-lettered), then the commit failed
// and the re-write took them: they are in the sink and not pending.
TEST(CommitRetry, RowsARetriedCommitWroteAfterAllAreNotLeftInTheDlq) {
  ScenarioDir d;
  d.define(pipeline(R"({"name": "tx", "plugin": "scenario",
      "config": {"reject_plan": [["p0-4", "p0-6"]], "commit_retry_calls": [1]}})"));
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(d.sink("tx").total(), 30u);
  EXPECT_TRUE(pending_keys(d, "tx").empty()) << r.out;
  // And a replay has nothing to duplicate.
  auto replay = d.replay();
  EXPECT_EQ(d.sink("tx").total(), 30u) << replay.out << replay.err;
}

// As above, but the process dies right after the retried commit landed:
// the next run finishes the commit from the intent saved before it. That
// intent must describe the attempt that committed (p0-5 out, p0-3 in), not
// the first write: else p0-3 waits in the DLQ although the sink holds it,
// and p0-5 is neither in the sink nor in the DLQ.
TEST(CommitRetry, ACrashAfterARetriedCommitLeavesTheDlqOfTheAttemptThatCommitted) {
  ScenarioDir d;
  d.define(pipeline(R"({"name": "tx", "plugin": "scenario",
      "config": {"reject_plan": [["p0-3"], ["p0-5"]], "commit_retry_calls": [1],
                 "crash_point": "after_commit", "crash_at": 2}})"));
  auto crashed = d.run();
  ASSERT_EQ(crashed.exit_code, 86) << crashed.err;
  d.define(pipeline(R"({"name": "tx", "plugin": "scenario", "config": {}})"));
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_second_attempt_committed(d, r);
}

// The sink committed but its reply was lost: the host must find that out
// (the sink holds the batch's checkpoint) instead of writing it twice.
TEST(CommitRetry, ALostCommitReplyDoesNotWriteTheBatchTwice) {
  ScenarioDir d;
  d.define(pipeline(R"({"name": "tx", "plugin": "scenario", "config": {"lost_reply_calls": [2]}})"));
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = d.sink("tx");
  EXPECT_EQ(rows.total(), 30u) << r.err;
  EXPECT_EQ(rows.values.size(), 30u);
}

// The commit landed, its reply was lost, and the sink cannot be reached to
// say so at once: the host must ask again, not write the batch a second
// time on the guess that it did not land.
TEST(CommitRetry, ACommitWhoseOutcomeTheSinkCannotTellYetIsAskedAgainNotWrittenAgain) {
  ScenarioDir d;
  d.define(pipeline(R"({"name": "tx", "plugin": "scenario",
                        "config": {"lost_reply_calls": [2], "unreachable_after_lost_reply": 2}})"));
  expect_every_row_once(d, d.run());
}

// A sink that never says whether its commit landed: neither outcome can be
// assumed, so the run stops (naming why) with nothing written twice and
// nothing dead-lettered, and the next run settles it from the sink's own
// checkpoint.
TEST(CommitRetry, ACommitWhoseOutcomeStaysUnknownStopsTheRunAndTheNextRunSettlesIt) {
  ScenarioDir d;
  d.define(pipeline(R"({"name": "tx", "plugin": "scenario",
                        "config": {"lost_reply_calls": [2], "unreachable_after_lost_reply": 1000}})"));
  auto stopped = d.run();
  ASSERT_NE(stopped.exit_code, 0) << stopped.err;
  EXPECT_NE(stopped.err.find("landed"), std::string::npos) << stopped.err;
  EXPECT_EQ(d.sink("tx").total(), 20u) << stopped.err;
  EXPECT_TRUE(d.dlq(DlqStatus::Pending).empty());

  d.define(pipeline(R"({"name": "tx", "plugin": "scenario", "config": {}})"));
  expect_every_row_once(d, d.run());
}

// Two transactional sinks under "all": a crash after the first committed
// batch 3 and before the second did. Each sink resumes from what it holds:
// neither gets a row twice.
TEST(CommitRetry, EveryTransactionalSinkOfAPipelineIsExactlyOnceAcrossACrash) {
  ScenarioDir d;
  auto sinks = [](const std::string& extra) {
    return R"({"name": "a", "plugin": "scenario", "config": {)" + extra +
           R"(}}, {"name": "b", "plugin": "scenario", "config": {}})";
  };
  d.define(pipeline(sinks(R"("crash_point": "after_commit", "crash_at": 3)"), 50));
  auto crashed = d.run();
  ASSERT_EQ(crashed.exit_code, 86) << crashed.err;
  EXPECT_EQ(d.sink("a").total(), 30u);
  EXPECT_EQ(d.sink("b").total(), 20u);
  d.define(pipeline(sinks(""), 50));
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"a", "b"}) {
    auto rows = d.sink(s);
    EXPECT_EQ(rows.values.size(), 50u) << s;
    EXPECT_EQ(rows.total(), 50u) << "sink " << s << " got a row twice";
  }
}

// The same with one transactional and one idempotent sink, the crash after
// the idempotent one committed: the transactional sink still gets each row
// once, the idempotent one at least once.
TEST(CommitRetry, ATransactionalSinkBesideAnIdempotentOneIsExactlyOnce) {
  ScenarioDir d;
  auto sinks = [](const std::string& extra) {
    return R"({"name": "tx", "plugin": "scenario", "config": {)" + extra +
           R"(}}, {"name": "idem", "plugin": "scenario-idem", "config": {}})";
  };
  d.define(pipeline(sinks(R"("crash_point": "after_commit", "crash_at": 2)"), 40));
  ASSERT_EQ(d.run().exit_code, 86);
  d.define(pipeline(sinks(""), 40));
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(d.sink("tx").total(), 40u);
  EXPECT_EQ(d.sink("idem").values.size(), 40u);
}

}  // namespace
