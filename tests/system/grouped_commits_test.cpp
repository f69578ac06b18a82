// Commits that wait to be saved with later ones (state.group_commit_ms):
// a quiet source's checkpoint is saved after the wait, not when the source
// speaks again; a run whose sinks a lost commit could harm saves each
// batch's commit with it; a crash that drops waiting commits only makes
// their batches come again to the idempotent sinks.
#include <gtest/gtest.h>

#include <signal.h>

#include <sstream>
#include <string>

#include "support/admin_probe.h"
#include "support/scenario_env.h"
#include "support/servers.h"

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

std::string saved_position(const ScenarioDir& d, const std::string& partition = "p0") {
  auto rows = sqlite_rows(d.file("state.db"),
                          "SELECT CAST(position AS TEXT) FROM checkpoints WHERE partition = '" + partition + "'");
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

// Two seconds: the second batch commits well within them of the first, so
// the commits are saved because no batch came, not because they were due.
TEST(GroupedCommits, AQuietSourcesCheckpointIsSavedOnceNoBatchCameForTheWait) {
  ScenarioDir d;
  d.define(pipeline(d, "scenario-idem", 2000));
  expect_saved_while_the_source_waits(d, "idempotent sink, 2 s");
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
  // The process dies right after the sink's third commit landed: batches
  // are in the sink, their state commits still wait. (A source that died
  // at a read raced the sink's asynchronous commits.)
  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db", "group_commit_ms": 60000},
    "source": {"plugin": "scenario", "config": {"count": 50}},
    "batch": {"max_records": 10, "queue_depth": 1},
    "sinks": [{"name": "s", "plugin": "scenario-idem", "config": {"dir": ")" +
           d.dir().path().string() + R"(", "crash_point": "after_commit", "crash_at": 3}}]})");
  const auto crashed = d.run();
  EXPECT_NE(crashed.exit_code, 0) << "the sink was to die after its third commit";
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

// A source that takes acknowledgements may release what precedes the
// position it is told of (a replication slot does): it is told only of
// checkpoints the state store holds, even while commits wait.
std::string last_told(const ScenarioDir& d) {
  std::string told;
  std::istringstream acks(ferry::test::slurp(d.file("acks")));
  for (std::string line; std::getline(acks, line);) told = line;
  return told;
}

std::string acking_pipeline(const ScenarioDir& d, int die_at_read, int wait_at_read) {
  return R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db", "group_commit_ms": 500},
    "source": {"plugin": "acking", "config": {"rows": 100, "ack_log": ")" +
         d.file("acks") + R"(", "die_at_read": )" + std::to_string(die_at_read) +
         R"(, "wait_at_read": )" + std::to_string(wait_at_read) + R"(}},
    "batch": {"max_records": 10, "queue_depth": 1},
    "sinks": [{"name": "s", "plugin": "null"}]})";
}

int64_t number(const std::string& position) { return position.empty() ? 0 : std::stoll(position); }

TEST(GroupedCommits, ASourceIsToldOnlyOfCheckpointsTheStoreHolds) {
  // Killed with commits waiting: nothing saved, so nothing told. (Told on
  // commit, the source heard of the second batch at its fourth read.)
  ScenarioDir killed;
  killed.define(acking_pipeline(killed, 6, 0));
  const auto crashed = killed.run();
  EXPECT_NE(crashed.exit_code, 0) << "the source was to die at its sixth read";
  EXPECT_LE(number(last_told(killed)), number(saved_position(killed, "all")))
      << "the source was told of position " << last_told(killed) << " and the store holds '"
      << saved_position(killed, "all") << "'";

  // Quiet at its fourth read, the source has the waiting commits saved, and
  // hears of them at its next read; it dies at the one after.
  ScenarioDir quiet;
  quiet.define(acking_pipeline(quiet, 6, 4));
  ferry::test::Process p = start_run(quiet);
  const bool saved = wait_until([&] { return number(saved_position(quiet, "all")) >= 30; });
  ferry::test::write_file(quiet.file("acks.go"), "");
  EXPECT_NE(p.wait().first, 0) << "the source was to die at its sixth read";
  ASSERT_TRUE(saved) << "no checkpoint was saved while the source waited: " << ferry::test::slurp(quiet.file("err"));
  EXPECT_GE(number(last_told(quiet)), 30) << "the source was never told of the saved checkpoint";
  EXPECT_LE(number(last_told(quiet)), number(saved_position(quiet, "all")));
}

// However a clean run ends, nothing of what it committed is left waiting:
// the checkpoints, acknowledgements and run counts are what saving each
// batch on its own gives.
TEST(GroupedCommits, ParallelWorkersSaveEveryPartitionsCommits) {
  ScenarioDir d;
  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db", "group_commit_ms": 60000},
    "source": {"plugin": "scenario", "config": {"count": 40, "partitions": 4}},
    "batch": {"max_records": 10}, "parallelism": 2,
    "sinks": [{"name": "s", "plugin": "scenario-idem", "config": {"dir": ")" +
           d.dir().path().string() + R"("}}]})");
  const auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(sqlite_rows(d.file("state.db"), "SELECT partition, CAST(position AS TEXT), records FROM checkpoints "
                                            "ORDER BY partition"),
            (std::vector<std::vector<std::string>>{
                {"p0", "40", "40"}, {"p1", "40", "40"}, {"p2", "40", "40"}, {"p3", "40", "40"}}));
  EXPECT_EQ(sqlite_rows(d.file("state.db"), "SELECT records, batches FROM sink_acks")[0],
            (std::vector<std::string>{"160", "16"}));
  EXPECT_EQ(sqlite_rows(d.file("state.db"), "SELECT read, written, batches, status FROM runs")[0],
            (std::vector<std::string>{"160", "160", "16", "succeeded"}));
}

TEST(GroupedCommits, ASinkThatAcknowledgesLaterHasItsCommitsSaved) {
  ScenarioDir d;
  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db", "group_commit_ms": 60000},
    "source": {"plugin": "scenario", "config": {"count": 50}},
    "batch": {"max_records": 10},
    "sinks": [{"name": "s", "plugin": "scenario-deferred", "config": {"dir": ")" +
           d.dir().path().string() + R"("}}]})");
  const auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(saved_position(d), "50");
  EXPECT_EQ(sqlite_rows(d.file("state.db"), "SELECT records, batches FROM sink_acks")[0],
            (std::vector<std::string>{"50", "5"}));
  EXPECT_EQ(sqlite_rows(d.file("state.db"), "SELECT read, written, batches, status FROM runs")[0],
            (std::vector<std::string>{"50", "50", "5", "succeeded"}));
}

TEST(GroupedCommits, ARunStoppedBySigtermSavesWhatItCommitted) {
  ScenarioDir d;
  d.define(pipeline(d, "scenario-idem", 60000));
  ferry::test::Process p = start_run(d);
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(d.file("gate.waiting")); }))
      << ferry::test::slurp(d.file("err"));
  // Both batches before the quiet read are in the sink: they committed.
  const bool written = wait_until([&] { return d.sink("s").total() == 20; });
  p.kill_now(SIGTERM);
  EXPECT_EQ(p.wait().first, 130) << ferry::test::slurp(d.file("err"));
  ASSERT_TRUE(written) << d.sink("s").total() << " rows in the sink";
  // The quiet read gives up when the run stops; its batch may still go out.
  const std::string rows = std::to_string(d.sink("s").total());
  const std::string batches = std::to_string(d.sink("s").total() / 10);
  EXPECT_EQ(saved_position(d), rows);
  EXPECT_EQ(sqlite_rows(d.file("state.db"), "SELECT records, batches FROM sink_acks")[0],
            (std::vector<std::string>{rows, batches}));
  EXPECT_EQ(sqlite_rows(d.file("state.db"), "SELECT read, written, batches, status FROM runs")[0],
            (std::vector<std::string>{rows, rows, batches, "stopped"}));
}

// A run lock held by a server session can be lost; a commit saved after that
// could undo another run's. Such a run saves each batch's commit with it.
TEST(GroupedCommits, ARunWhoseLockCanBeLostSavesEachCommit) {
  ferry::test::PgServer pg;
  pg.psql("CREATE DATABASE st");
  ferry::test::TempDir dir;
  ferry::test::write_file(dir.file("p.json"), R"({"name": "pg", "state": {"type": "postgres", "dsn": ")" +
                                                  pg.dsn("st") + R"(", "group_commit_ms": 60000},
    "source": {"plugin": "generator", "config": {"count": 20000}},
    "batch": {"max_records": 100},
    "sinks": [{"name": "n", "plugin": "null"}]})");
  // Ten seconds at 2,000 rows a second: the checkpoint shows long before.
  ferry::test::Process run({FERRY_TEST_BINARY, "run", "--no-progress", "--rate", "2000", "--exclusive",
                            dir.file("p.json")},
                           {}, dir.file("out"), dir.file("err"));
  // Rows the saved checkpoint covers: between none and all while it runs.
  auto covered = [&]() -> int64_t {
    try {
      const std::string n = pg.psql("SELECT coalesce(sum(records), 0) FROM checkpoints", "st");
      return std::stoll(n);
    } catch (const std::exception&) {  // the tables are not there yet
      return 0;
    }
  };
  std::pair<int, int> result{-2, 0};
  int64_t seen = 0;
  wait_until(
      [&] {
        seen = covered();
        return (seen > 0 && seen < 20000) || run.finished(&result);
      },
      30);
  if (result.first == -2) result = run.wait();
  EXPECT_EQ(result.first, 0) << ferry::test::slurp(dir.file("err"));
  EXPECT_GT(seen, 0) << "no checkpoint was saved while the run went on";
  EXPECT_LT(seen, 20000) << "no checkpoint was saved while the run went on";
}

}  // namespace
