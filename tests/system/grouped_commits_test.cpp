// Commits that wait to be saved with later ones (state.group_commit_ms):
// a quiet source's checkpoint is saved after the wait, not when the source
// speaks again; a run whose sinks a lost commit could harm saves each
// batch's commit with it; a crash that drops waiting commits only makes
// their batches come again to the idempotent sinks.
#include <gtest/gtest.h>

#include <string>

#include "support/admin_probe.h"
#include "support/scenario_env.h"

namespace {

using ferry::test::ScenarioDir;
using ferry::test::sqlite_rows;
using ferry::test::wait_until;

// A pipeline of 30 records in batches of 10 whose source, at its third
// read, waits for the file `gate`.
std::string pipeline(const ScenarioDir& d, const std::string& sink_plugin, int group_commit_ms,
                     const std::string& extra = "") {
  return R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db", "group_commit_ms": )" +
         std::to_string(group_commit_ms) + R"(},
    "source": {"plugin": "scenario", "config": {"count": 30, "wait_file": ")" +
         d.file("gate") + R"(", "wait_at_read": 3}},
    "batch": {"max_records": 10},
    "sinks": [{"name": "s", "plugin": ")" +
         sink_plugin + R"(", "config": {"dir": ")" + d.dir().path().string() + R"("}}])" + extra + "}";
}

std::string saved_position(const ScenarioDir& d) {
  auto rows = sqlite_rows(d.file("state.db"), "SELECT CAST(position AS TEXT) FROM checkpoints WHERE partition = 'p0'");
  return rows.empty() ? "" : rows[0][0];
}

ferry::test::Process start_run(const ScenarioDir& d) {
  return ferry::test::Process(
      {FERRY_TEST_BINARY, "--plugin-path", FERRY_TEST_FIXTURE_DIR, "run", "--no-progress", d.pipeline_file()}, {},
      d.file("out"), d.file("err"));
}

// While the source waits with two batches committed, their checkpoint
// reaches the file: the deadline only matters when the test fails.
void expect_saved_while_the_source_waits(const ScenarioDir& d, const std::string& what) {
  ferry::test::Process p = start_run(d);
  const bool waiting = wait_until([&] { return std::filesystem::exists(d.file("gate.waiting")); });
  const bool saved = waiting && wait_until([&] { return saved_position(d) == "20"; }, 30);
  ferry::test::write_file(d.file("gate"), "");
  EXPECT_EQ(p.wait().first, 0) << ferry::test::slurp(d.file("err"));
  EXPECT_TRUE(waiting) << what << ": the source never reached its third read";
  EXPECT_TRUE(saved) << what << ": the checkpoint of the first two batches was not saved while the source waited ("
                     << saved_position(d) << ")";
  EXPECT_EQ(saved_position(d), "30") << what;
  auto acks = sqlite_rows(d.file("state.db"), "SELECT records, batches FROM sink_acks");
  ASSERT_EQ(acks.size(), 1u) << what;
  EXPECT_EQ(acks[0], (std::vector<std::string>{"30", "3"})) << what;
  auto runs = sqlite_rows(d.file("state.db"), "SELECT read, written, batches, status FROM runs");
  ASSERT_EQ(runs.size(), 1u) << what;
  EXPECT_EQ(runs[0], (std::vector<std::string>{"30", "30", "3", "succeeded"})) << what;
}

TEST(GroupedCommits, AQuietSourcesCheckpointIsSavedOnceNoBatchCameForTheWait) {
  ScenarioDir d;
  d.define(pipeline(d, "scenario-idem", 50));
  expect_saved_while_the_source_waits(d, "idempotent sink, 50 ms");
}

// Commits that could wait a minute do not, where losing one in a crash
// would be worse than its batch coming again: a transactional sink's
// (its intent must go with it), and any whose checkpoint a hook hears of.
TEST(GroupedCommits, ATransactionalSinksBatchesAreSavedOneByOne) {
  ScenarioDir d;
  d.define(pipeline(d, "scenario", 60000));
  expect_saved_while_the_source_waits(d, "transactional sink");
}

TEST(GroupedCommits, WithACheckpointHookBatchesAreSavedOneByOne) {
  ScenarioDir d;
  d.define(pipeline(d, "scenario-idem", 60000,
                    R"(, "hooks": {"checkpoint": [{"name": "audit", "plugin": "audit-sql", "config": {"path": ")" +
                        d.file("audit.db") + R"("}}]})"));
  expect_saved_while_the_source_waits(d, "checkpoint hook");
  EXPECT_EQ(sqlite_rows(d.file("audit.db"), "SELECT count(*) FROM ferry_audit")[0][0], "3");
}

TEST(GroupedCommits, NoneWaitWithAZeroWait) {
  ScenarioDir d;
  d.define(pipeline(d, "scenario-idem", 0));
  expect_saved_while_the_source_waits(d, "group_commit_ms 0");
}

// Killed with commits waiting, a run leaves the checkpoint behind them; the
// next run writes those batches again, and the idempotent sink holds each
// record once, with its value.
TEST(GroupedCommits, ACrashDropsWaitingCommitsAndTheirBatchesComeAgain) {
  ScenarioDir d;
  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db", "group_commit_ms": 60000},
    "source": {"plugin": "scenario", "config": {"count": 50, "crash_after_reads": 3}},
    "batch": {"max_records": 10, "queue_depth": 1},
    "sinks": [{"name": "s", "plugin": "scenario-idem", "config": {"dir": ")" +
           d.dir().path().string() + R"("}}]})");
  const auto crashed = d.run();
  EXPECT_NE(crashed.exit_code, 0) << "the source was to die at its fourth read";
  EXPECT_EQ(saved_position(d), "") << "a commit waiting for a minute was saved before the crash";
  EXPECT_GT(d.sink("s").total(), 0u) << "no batch reached the sink before the crash";

  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db", "group_commit_ms": 60000},
    "source": {"plugin": "scenario", "config": {"count": 50}},
    "batch": {"max_records": 10},
    "sinks": [{"name": "s", "plugin": "scenario-idem", "config": {"dir": ")" +
           d.dir().path().string() + R"("}}]})");
  const auto again = d.run();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(saved_position(d), "50");
  auto rows = d.sink("s");
  EXPECT_EQ(rows.values.size(), 50u);
  for (int id = 1; id <= 50; ++id) {
    const std::string key = "p0-" + std::to_string(id);
    ASSERT_EQ(rows.copies(key), 1u) << key;
    EXPECT_EQ(rows.values[key][0], int64_t{id} * 7) << key;
  }
  EXPECT_TRUE(d.dlq().empty());
}

}  // namespace
