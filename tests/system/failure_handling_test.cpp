// Failure handling end to end, with the real binary: poison pills isolated by
// bisection, retries, exhausted retries, commit policies over several sinks,
// backlog hooks, and replay of the dead-letter queue (also after a crash).
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <map>
#include <set>
#include <sstream>

#include "state/state_store.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::TempDir;

void sql(const std::string& db, const std::string& statements) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(h, statements.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(h);
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

int64_t query(const std::string& db, const std::string& q) {
  sqlite3* h = nullptr;
  int64_t v = -1;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(h, q.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
      v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(h);
  return v;
}

std::vector<ferry::core::DlqEntry> dlq(const TempDir& dir, const std::string& pipeline,
                                       std::optional<ferry::core::DlqStatus> status = std::nullopt) {
  auto state = ferry::core::open_sqlite_state(dir.file("state.db"));
  ferry::core::DlqFilter f;
  f.pipeline = pipeline;
  f.status = status;
  return state->list_dlq(f);
}

std::set<std::string> unique_lines(const std::string& text, size_t* total = nullptr) {
  std::set<std::string> out;
  std::istringstream in(text);
  size_t n = 0;
  for (std::string l; std::getline(in, l); ++n) out.insert(l.substr(0, l.find('\t', l.find('\t') + 1)));
  if (total) *total = n;
  return out;
}

ferry::test::ProcessResult run(const TempDir& dir, const std::string& name, const std::string& json,
                               const std::string& command = "run") {
  ferry::test::write_file(dir.file(name), json);
  return ferry::test::ferry({command, "--no-progress", dir.file(name)});
}

std::string generator_to_fault(int count, const std::string& sink_config, const std::string& retry = "",
                               const std::string& extra = "") {
  return R"({"name": "f", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": )" + std::to_string(count) + R"(}},
    "batch": {"max_records": 10}, )" + extra + R"(
    "retry": {"max_attempts": 4, "initial_delay_ms": 1, "max_delay_ms": 5)" + retry + R"(},
    "sinks": [{"name": "out", "plugin": "fault", "config": {"dir": "." )" + sink_config + "}}]}";
}

}  // namespace

TEST(PoisonPills, ThreeBadRecordsInTenThousandAreIsolatedAndTheRestCommit) {
  TempDir dir;
  sql(dir.file("target.db"),
      "CREATE TABLE orders(id INTEGER, name TEXT, amount REAL CHECK (id NOT IN (3001, 5002, 7003)), ts TEXT)");
  auto r = run(dir, "p.json", R"({"name": "poison", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 10000}},
    "batch": {"max_records": 10000},
    "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "target.db", "table": "orders"}}]})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(query(dir.file("target.db"), "SELECT count(*) FROM orders"), 9997);
  EXPECT_EQ(query(dir.file("target.db"), "SELECT count(*) FROM orders WHERE id IN (3001, 5002, 7003)"), 0);
  auto entries = dlq(dir, "poison");
  ASSERT_EQ(entries.size(), 3u);
  std::set<std::string> keys;
  for (const auto& e : entries) {
    keys.insert(e.record_key);
    EXPECT_EQ(e.stage, "db");
    EXPECT_EQ(e.sink, "db");
    EXPECT_EQ(e.error_class, "invalid_data");
    EXPECT_NE(e.message.find("CHECK constraint failed"), std::string::npos) << e.message;
    EXPECT_NE(e.record_json.find("\"id\":" + e.record_key), std::string::npos) << e.record_json;
  }
  EXPECT_EQ(keys, (std::set<std::string>{"3001", "5002", "7003"}));
  // The extra writes of the bisection are logged and counted.
  EXPECT_NE(r.err.find("isolated 3 bad record(s) with"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("written 9997, rejected 3"), std::string::npos) << r.out;
}

TEST(Retries, ASinkAnsweringRetryOnEveryThirdCallDeliversEverything) {
  TempDir dir;
  auto r = run(dir, "p.json", generator_to_fault(100, R"(, "retry_every": 3)"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t total = 0;
  auto rows = unique_lines(ferry::test::read_file(dir.file("rows.txt")), &total);
  EXPECT_EQ(rows.size(), 100u);
  EXPECT_EQ(total, 100u);
  EXPECT_TRUE(dlq(dir, "f").empty());
  EXPECT_NE(r.out.find("retries "), std::string::npos) << r.out;
}

TEST(Retries, ASinkThatNeverRecoversSendsItsRecordsToTheDlqAndThePipelineGoesOn) {
  TempDir dir;
  auto r = run(dir, "p.json", generator_to_fault(30, R"(, "always_retry": true)"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto entries = dlq(dir, "f");
  ASSERT_EQ(entries.size(), 30u);
  for (const auto& e : entries) {
    EXPECT_EQ(e.error_class, "retry_exhausted");
    EXPECT_EQ(e.attempts, 4);
    EXPECT_EQ(e.sink, "out");
    EXPECT_NE(e.message.find("gave up after 4 attempts: fault sink is down"), std::string::npos) << e.message;
  }
  auto state = ferry::core::open_sqlite_state(dir.file("state.db"));
  ASSERT_TRUE(state->load_checkpoint("f", "p0"));
  EXPECT_EQ(state->load_checkpoint("f", "p0")->position, "30");
}

// A Retry-After longer than the whole retry budget gives up at once, as
// documented; the DLQ said only "gave up after 1 attempts" of the 4 the
// policy allowed, and nothing was logged (an outside tester).
TEST(Retries, AWaitLongerThanTheRetryBudgetGivesUpSayingSo) {
  TempDir dir;
  auto r = run(dir, "p.json",
               generator_to_fault(10, R"(, "always_retry": true, "retry_after_ms": 600000)", R"(, "max_elapsed_ms": 60000)"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string why = "the sink asked to wait 600000 ms before the next attempt, past the retry budget "
                          "(max_elapsed_ms 60000)";
  auto entries = dlq(dir, "f");
  ASSERT_EQ(entries.size(), 10u);
  EXPECT_EQ(entries[0].attempts, 1);
  EXPECT_NE(entries[0].message.find("gave up after 1 of 4 attempts: " + why + ": fault sink is down"),
            std::string::npos)
      << entries[0].message;
  EXPECT_NE(r.err.find("giving up after 1 of 4 attempts: " + why), std::string::npos) << r.err;
}

TEST(Retries, OnExhaustedFailStopsThePipelineWithAClearError) {
  TempDir dir;
  auto r = run(dir, "p.json", generator_to_fault(30, R"(, "always_retry": true)", R"(, "on_exhausted": "fail")"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("sink 'out': gave up after 4 attempts: fault sink is down"), std::string::npos) << r.err;
  auto state = ferry::core::open_sqlite_state(dir.file("state.db"));
  EXPECT_FALSE(state->load_checkpoint("f", "p0"));
  EXPECT_TRUE(dlq(dir, "f").empty());
}

namespace {

std::string three_sinks(const std::string& policy) {
  return R"({"name": "multi", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 50}},
    "batch": {"max_records": 10},
    "commit_policy": ")" + policy + R"(",
    "sinks": [
      {"name": "a", "plugin": "fault", "config": {"dir": "a"}},
      {"name": "b", "plugin": "fault", "config": {"dir": "b"}},
      {"name": "down", "plugin": "fault", "required": false, "config": {"dir": "down", "always_retry": true},
       "retry": {"max_attempts": 2, "initial_delay_ms": 1, "max_delay_ms": 2, "on_exhausted": "fail"}}]})";
}

void policy_case(const std::string& policy, bool advances) {
  TempDir dir;
  for (const char* d : {"a", "b", "down"}) std::filesystem::create_directory(dir.path() / d);
  auto r = run(dir, "p.json", three_sinks(policy));
  auto state = ferry::core::open_sqlite_state(dir.file("state.db"));
  auto cp = state->load_checkpoint("multi", "p0");
  if (!advances) {
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("commit policy 'all' not met"), std::string::npos) << r.err;
    EXPECT_FALSE(cp) << "the checkpoint advanced";
    EXPECT_EQ(ferry::test::read_file(dir.file("a/rows.txt")), "");
    return;
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->position, "50");
  EXPECT_EQ(unique_lines(ferry::test::read_file(dir.file("a/rows.txt"))).size(), 50u);
  EXPECT_EQ(unique_lines(ferry::test::read_file(dir.file("b/rows.txt"))).size(), 50u);
  auto entries = dlq(dir, "multi");
  ASSERT_EQ(entries.size(), 50u);
  for (const auto& e : entries) {
    EXPECT_EQ(e.sink, "down");
    EXPECT_EQ(e.error_class, "sink_failed");
  }
  auto show = ferry::test::ferry({"checkpoint", "show", dir.file("p.json")});
  EXPECT_NE(show.out.find("a                       50            5"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("b                       50            5"), std::string::npos) << show.out;
  EXPECT_EQ(show.out.find("down "), std::string::npos) << show.out;
}

}  // namespace

TEST(CommitPolicy, AllDoesNotAdvanceWhenOneSinkIsDown) { policy_case("all", false); }
TEST(CommitPolicy, RequiredAdvancesWithoutTheNonRequiredSink) { policy_case("required", true); }
TEST(CommitPolicy, QuorumOfTwoAdvancesWithTwoOfThree) { policy_case("quorum(2)", true); }

TEST(Hooks, BacklogHookSeesEveryFailedRecord) {
  TempDir dir;
  std::string rejects = R"(, "reject_keys": ["3", "17", "18", "44"])";
  std::string json = generator_to_fault(50, rejects, "",
      R"("hooks": {"backlog": [{"name": "log", "plugin": "fault", "config": {"dir": "."}}]},)");
  auto r = run(dir, "p.json", json);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(dlq(dir, "f").size(), 4u);
  std::string backlog = ferry::test::read_file(dir.file("backlog.txt"));
  std::set<std::string> seen;
  std::istringstream in(backlog);
  for (std::string l; std::getline(in, l);) {
    std::istringstream f(l);
    std::string sink, position, message;
    std::getline(f, sink, '\t');
    std::getline(f, position, '\t');
    std::getline(f, message);
    EXPECT_EQ(sink, "out");
    EXPECT_EQ(message, "constraint violated by key " + position);
    seen.insert(position);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"3", "17", "18", "44"}));
  EXPECT_EQ(unique_lines(ferry::test::read_file(dir.file("rows.txt"))).size(), 46u);
}

TEST(Replay, AfterTheCauseIsFixedEveryEntryResolvesAndTheSinkMatchesACleanRun) {
  TempDir dir;
  auto broken = run(dir, "p.json", generator_to_fault(50, R"(, "reject_keys": ["5", "25", "45"])"));
  ASSERT_EQ(broken.exit_code, 0) << broken.err;
  ASSERT_EQ(dlq(dir, "f", ferry::core::DlqStatus::Pending).size(), 3u);

  auto replay = run(dir, "fixed.json", generator_to_fault(50, ""), "replay");
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_NE(replay.out.find("selected 3, resolved 3, failed again 0"), std::string::npos) << replay.out;
  EXPECT_TRUE(dlq(dir, "f", ferry::core::DlqStatus::Pending).empty());
  EXPECT_EQ(dlq(dir, "f", ferry::core::DlqStatus::Resolved).size(), 3u);
  size_t total = 0;
  auto rows = unique_lines(ferry::test::read_file(dir.file("rows.txt")), &total);
  EXPECT_EQ(rows.size(), 50u);
  EXPECT_EQ(total, 50u);
}

// A resolved entry is in its sink already and a discarded one stays
// discarded: selecting either for replay is refused, naming why, and
// nothing is written again.
TEST(Replay, ResolvedOrDiscardedEntriesAreNotDeliveredAgain) {
  TempDir dir;
  ASSERT_EQ(run(dir, "p.json", generator_to_fault(50, R"(, "reject_keys": ["5", "25"])")).exit_code, 0);
  ferry::test::write_file(dir.file("fixed.json"), generator_to_fault(50, ""));
  ASSERT_EQ(ferry::test::ferry({"replay", "--no-progress", dir.file("fixed.json")}).exit_code, 0);
  ASSERT_EQ(dlq(dir, "f", ferry::core::DlqStatus::Resolved).size(), 2u);
  const std::string before = ferry::test::read_file(dir.file("rows.txt"));
  for (const char* status : {"resolved", "discarded"}) {
    auto r = ferry::test::ferry({"replay", "--no-progress", "--status", status, dir.file("fixed.json")});
    EXPECT_EQ(r.exit_code, 2) << status << ": " << r.out;
    EXPECT_NE(r.err.find(std::string("entries marked ") + status + " are not replayed"), std::string::npos)
        << r.err;
  }
  EXPECT_EQ(ferry::test::read_file(dir.file("rows.txt")), before);
  EXPECT_EQ(dlq(dir, "f", ferry::core::DlqStatus::Resolved).size(), 2u);
}

TEST(Replay, DryRunReportsAndWritesNothing) {
  TempDir dir;
  ASSERT_EQ(run(dir, "p.json", generator_to_fault(50, R"(, "reject_keys": ["5", "25"])")).exit_code, 0);
  std::string before = ferry::test::read_file(dir.file("rows.txt"));
  ferry::test::write_file(dir.file("fixed.json"), generator_to_fault(50, ""));
  auto r = ferry::test::ferry({"replay", "--dry-run", "--no-progress", dir.file("fixed.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dry run: replay of f: succeeded — selected 2, would resolve 2, would fail again 0"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(sinks not asked: a record they refuse again would fail again)"), std::string::npos) << r.out;
  EXPECT_EQ(ferry::test::read_file(dir.file("rows.txt")), before);
  EXPECT_EQ(dlq(dir, "f", ferry::core::DlqStatus::Pending).size(), 2u);
}

TEST(Replay, StillBrokenRecordsBecomeFailedAgainWithTheNewError) {
  TempDir dir;
  ASSERT_EQ(run(dir, "p.json", generator_to_fault(20, R"(, "reject_keys": ["7"])")).exit_code, 0);
  auto r = run(dir, "p.json", generator_to_fault(20, R"(, "reject_keys": ["7"])"), "replay");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("1 record(s) failed again"), std::string::npos) << r.err;
  // Not "succeeded": it exits 1, and a record it was asked to deliver is not.
  EXPECT_NE(r.out.find("replay of f: incomplete — selected 1, resolved 0, failed again 1"), std::string::npos)
      << r.out;
  auto again = dlq(dir, "f", ferry::core::DlqStatus::FailedAgain);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 2);
  EXPECT_EQ(again[0].message, "out: constraint violated by key 7");
}

// A replay whose records fail again in a transform did not deliver what
// it was asked to: its dry run says so and exits 1, and the replay itself
// is recorded "incomplete" in the run history, as its summary says.
TEST(Replay, AReplayWhoseRecordsFailAgainIsIncompleteInItsDryRunAndItsRunRecord) {
  TempDir dir;
  const std::string pipeline = R"({"name": "f", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 50}},
    "batch": {"max_records": 10},
    "transforms": [{"name": "check", "plugin": "validate", "config": {"rules": {"id": {"max": 45}}}}],
    "sinks": [{"name": "out", "plugin": "fault", "config": {"dir": "."}}]})";
  ASSERT_EQ(run(dir, "p.json", pipeline).exit_code, 0);
  ASSERT_EQ(dlq(dir, "f", ferry::core::DlqStatus::Pending).size(), 5u);

  auto dry = ferry::test::ferry({"replay", "--dry-run", "--no-progress", dir.file("p.json")});
  EXPECT_EQ(dry.exit_code, 1) << dry.err;
  EXPECT_NE(dry.out.find("dry run: replay of f: incomplete — selected 5, would resolve 0, would fail again 5"),
            std::string::npos)
      << dry.out;
  EXPECT_NE(dry.err.find("5 record(s) would fail again"), std::string::npos) << dry.err;
  EXPECT_EQ(dlq(dir, "f", ferry::core::DlqStatus::Pending).size(), 5u);

  auto replay = run(dir, "p.json", pipeline, "replay");
  EXPECT_EQ(replay.exit_code, 1) << replay.err;
  auto status = ferry::test::ferry({"status", dir.file("p.json")});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("replay"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("incomplete"), std::string::npos) << status.out;
  auto state = ferry::core::open_sqlite_state(dir.file("state.db"));
  const auto runs = state->list_runs("f", 10);
  ASSERT_EQ(runs.size(), 2u);
  for (const auto& r : runs)
    EXPECT_EQ(r.status, r.kind == "replay" ? ferry::core::RunStatus::Incomplete : ferry::core::RunStatus::Succeeded)
        << r.kind;
}

// A replay that a hook failed or stopped exits 1 like a run that failed,
// whether or not some of its records also failed again.
TEST(Replay, AReplayAHookFailedOrStoppedExitsOne) {
  const auto pipeline = [](int max, const std::string& hook) {
    return R"({"name": "f", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "generator", "config": {"count": 50}},
      "batch": {"max_records": 10},
      "transforms": [{"name": "check", "plugin": "validate", "config": {"rules": {"id": {"max": )" +
           std::to_string(max) + R"(}}}}],)" + hook + R"(
      "sinks": [{"name": "out", "plugin": "fault", "config": {"dir": "."}}]})";
  };
  const std::string failing =
      R"("hooks": {"checkpoint": [{"name": "h", "plugin": "fault", "config": {"dir": ".", "fail": true}, "on_failure": "stop"}]},)";
  for (const int max : {47, 50}) {  // some records fail again; none do
    TempDir dir;
    ASSERT_EQ(run(dir, "p.json", pipeline(45, "")).exit_code, 0);
    ASSERT_EQ(dlq(dir, "f", ferry::core::DlqStatus::Pending).size(), 5u);
    auto r = run(dir, "replay.json", pipeline(max, failing), "replay");
    EXPECT_EQ(r.exit_code, 1) << "max " << max << "\n" << r.out << r.err;
    auto state = ferry::core::open_sqlite_state(dir.file("state.db"));
    for (const auto& recorded : state->list_runs("f", 10)) {
      if (recorded.kind == "replay") {
        EXPECT_EQ(recorded.status, ferry::core::RunStatus::Failed) << max;
      }
    }
  }
}

TEST(Replay, AReplayKilledAfterACommitResumesWithoutDuplicatesInATransactionalSink) {
  TempDir dir;
  // Every 25th id is refused by a trigger (SQLite reports it as a
  // constraint failure, so the engine isolates it): 200 DLQ entries.
  sql(dir.file("target.db"),
      "CREATE TABLE t(id INTEGER, name TEXT, amount REAL, ts TEXT);"
      "CREATE TRIGGER poison BEFORE INSERT ON t WHEN NEW.id % 25 = 0 BEGIN SELECT RAISE(ABORT, 'poison'); END;");
  auto pipeline = [](const std::string& hook) {
    return R"({"name": "rp", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "generator", "config": {"count": 5000}},
      "batch": {"max_records": 10},)" + hook + R"(
      "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "target.db", "table": "t"}}]})";
  };
  ASSERT_EQ(run(dir, "p.json", pipeline("")).exit_code, 0);
  ASSERT_EQ(query(dir.file("target.db"), "SELECT count(*) FROM t"), 4800);
  ASSERT_EQ(dlq(dir, "rp", ferry::core::DlqStatus::Pending).size(), 200u);

  sql(dir.file("target.db"), "DROP TRIGGER poison");
  // The hook runs after the third replay batch committed (rows and DLQ
  // statuses): a kill there loses no status and repeats no row.
  auto crashed = run(dir, "crash.json",
      pipeline(R"("hooks": {"checkpoint": [{"name": "k", "plugin": "fault", "config": {"dir": ".", "crash_after": 3}}]},)"),
      "replay");
  EXPECT_EQ(crashed.exit_code, 86) << crashed.err;
  EXPECT_EQ(query(dir.file("target.db"), "SELECT count(*) FROM t"), 4830);
  EXPECT_EQ(dlq(dir, "rp", ferry::core::DlqStatus::Resolved).size(), 30u);

  auto resumed = run(dir, "p.json", pipeline(""), "replay");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("resolved 170"), std::string::npos) << resumed.out;
  EXPECT_EQ(query(dir.file("target.db"), "SELECT count(*) FROM t"), 5000);
  EXPECT_EQ(query(dir.file("target.db"), "SELECT count(DISTINCT id) FROM t"), 5000);
  EXPECT_EQ(dlq(dir, "rp", ferry::core::DlqStatus::Resolved).size(), 200u);
}

// A run killed mid-way reports what it committed, not zeros: its counts
// move with each commit, in the commit's own transaction, and the run that
// finds it dead keeps them. (A kill after the third commit's hook.)
TEST(Runs, AKilledRunReportsWhatItCommitted) {
  TempDir dir;
  auto killed = run(dir, "p.json",
                    generator_to_fault(50, R"(, "reject_keys": ["5"])", "",
                                       R"("hooks": {"checkpoint": [{"name": "k", "plugin": "fault", "config": {"dir": ".", "crash_after": 3}}]},)"));
  ASSERT_EQ(killed.exit_code, 86) << killed.err;
  ASSERT_EQ(run(dir, "p.json", generator_to_fault(50, "")).exit_code, 0);
  auto state = ferry::core::open_sqlite_state(dir.file("state.db"));
  const auto runs = state->list_runs("f", 10);
  ASSERT_EQ(runs.size(), 2u);
  const ferry::core::Run& dead = runs[1];  // newest first
  EXPECT_EQ(dead.status, ferry::core::RunStatus::Failed);
  EXPECT_EQ(dead.counts.batches, 3);
  EXPECT_EQ(dead.counts.read, 30);
  EXPECT_EQ(dead.counts.written, 29);
  EXPECT_EQ(dead.counts.rejected, 1);
  EXPECT_EQ(runs[0].counts.read, 20);
}

TEST(Hooks, AFailingCheckpointHookNeverUncommitsAndStopsOnlyWhenConfigured) {
  TempDir dir;
  auto with_hook = [](const std::string& on_failure) {
    return generator_to_fault(30, "", "",
        R"("hooks": {"checkpoint": [{"name": "audit", "plugin": "fault", "on_failure": ")" + on_failure +
        R"(", "config": {"dir": ".", "fail": true}}]},)");
  };
  auto go_on = run(dir, "p.json", with_hook("continue"));
  ASSERT_EQ(go_on.exit_code, 0) << go_on.err;
  EXPECT_NE(go_on.err.find("checkpoint hook failed: audit store unavailable"), std::string::npos) << go_on.err;
  EXPECT_EQ(unique_lines(ferry::test::read_file(dir.file("rows.txt"))).size(), 30u);

  TempDir dir2;
  auto stop = run(dir2, "p.json", with_hook("stop"));
  EXPECT_EQ(stop.exit_code, 1);
  EXPECT_NE(stop.err.find("checkpoint hook 'audit' failed: "), std::string::npos) << stop.err;
  // The batch that the hook failed on stays committed, and so does its checkpoint.
  EXPECT_EQ(unique_lines(ferry::test::read_file(dir2.file("rows.txt"))).size(), 10u);
  auto state = ferry::core::open_sqlite_state(dir2.file("state.db"));
  EXPECT_EQ(state->load_checkpoint("f", "p0")->position, "10");
}

TEST(Validation, EveryBrokenRuleIsInTheDlqWithItsFieldAndRule) {
  TempDir dir;
  ferry::test::write_file(dir.file("in.jsonl"),
      R"({"id": 1, "email": "a@example.com", "amount": 10, "currency": "EUR", "name": "ok"})" "\n"
      R"({"id": 2, "email": "not-an-email", "amount": 10, "currency": "EUR", "name": "x"})" "\n"
      R"({"id": 3, "email": "b@example.com", "amount": -5, "currency": "EUR", "name": "x"})" "\n"
      R"({"id": 4, "email": "c@example.com", "amount": 5000, "currency": "EUR", "name": "x"})" "\n"
      R"({"id": 5, "email": "d@example.com", "amount": 10, "currency": "YEN", "name": "x"})" "\n"
      R"({"id": 6, "email": "e@example.com", "amount": 10, "currency": "EUR", "name": "far too long a name"})" "\n"
      R"({"id": 7, "amount": 10, "currency": "EUR", "name": "x"})" "\n"
      R"({"id": 8, "email": "f@example.com", "amount": "ten", "currency": "EUR", "name": "x"})" "\n"
      R"({"id": 9, "email": "g@example.com", "amount": 10, "currency": "EUR", "name": ""})" "\n"
      R"({"id": 10, "email": "h@example.com", "amount": 10, "currency": null, "name": "x"})" "\n"
      R"({"id": 11, "email": "i@example.com", "amount": 10, "currency": "eur", "name": "x"})" "\n"
      R"({"id": 12, "email": 42, "amount": 10, "currency": "EUR", "name": "x"})" "\n"
      R"({"id": 13, "email": "j@example.com", "amount": 10.5, "currency": "EUR", "name": "ok"})" "\n");
  auto r = run(dir, "p.json", R"({"name": "v", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "in.jsonl", "key": "id"}},
    "transforms": [{"name": "check", "plugin": "validate", "config": {"rules": {
      "email": {"required": true, "type": "string", "pattern": "^[^@]+@[^@]+$"},
      "amount": {"required": true, "type": "number", "min": 0, "max": 1000},
      "currency": {"required": true, "allowed": ["EUR", "USD"]},
      "name": {"type": "string", "max_length": 10, "min_length": 1}}}}],
    "sinks": [{"name": "out", "plugin": "fault", "config": {"dir": "."}}]})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::string> by_key;
  for (const auto& e : dlq(dir, "v")) {
    EXPECT_EQ(e.stage, "check");
    EXPECT_EQ(e.error_class, "invalid_data");
    by_key[e.record_key] = e.message;
  }
  const std::map<std::string, std::pair<std::string, std::string>> expected = {
      {"2", {"email", "pattern"}},    {"3", {"amount", "min"}},        {"4", {"amount", "max"}},
      {"5", {"currency", "allowed"}}, {"6", {"name", "max_length"}},   {"7", {"email", "required"}},
      {"8", {"amount", "type"}},      {"9", {"name", "min_length"}},   {"10", {"currency", "required"}},
      {"11", {"currency", "allowed"}}, {"12", {"email", "type"}}};
  std::string dump;
  for (const auto& [k, m] : by_key) dump += k + ": " + m + "\n";
  ASSERT_EQ(by_key.size(), expected.size()) << dump;
  for (const auto& [key, rule] : expected) {
    const std::string& msg = by_key[key];
    EXPECT_NE(msg.find("field '" + rule.first + "' breaks rule '" + rule.second + "'"), std::string::npos)
        << "record " << key << ": " << msg;
  }
  EXPECT_EQ(unique_lines(ferry::test::read_file(dir.file("rows.txt"))).size(), 2u);
}
