// Opening a SQLite database that another connection holds locked: the WAL
// switch of a new file needs a lock SQLite's busy handler does not wait
// for. Two workers opening one new file at once used to fail a run with
// "database is locked"; the sink now waits for the lock and answers RETRY
// when its timeout runs out, and the host retries the open like any call.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "support/scenario_env.h"

namespace {

using ferry::test::ScenarioDir;

TEST(SqliteOpenRace, ASinkWaitsForAnotherConnectionsLockOnANewFile) {
  ScenarioDir d("race");
  // The file exists and is held in an exclusive transaction, as by another
  // worker half-way through creating it.
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(d.file("out.db").c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);

  d.define(R"({"name": "race", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 20}},
    "retry": {"max_attempts": 1000, "initial_delay_ms": 5, "max_delay_ms": 20},
    "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "out.db", "table": "t", "busy_timeout_ms": 50}}]})");
  ferry::test::Process run({FERRY_TEST_BINARY, "--plugin-path", FERRY_TEST_FIXTURE_DIR, "run", "--no-progress",
                            d.pipeline_file()},
                           {}, d.file("out"), d.file("err"));
  // Hold the lock until the host has been told "not yet" at least once: the
  // open must have waited and been retried, not failed the run.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::pair<int, int> early{0, 0};
  bool ended = false;
  while (ferry::test::slurp(d.file("err")).find("cannot open the sink yet") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline && !(ended = run.finished(&early)))
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(holder);
  auto [code, sig] = ended ? early : run.wait();
  const std::string err = ferry::test::slurp(d.file("err"));
  ASSERT_EQ(code, 0) << err;
  EXPECT_NE(err.find("database is locked"), std::string::npos) << "the lock was never met: " << err;
  auto rows = ferry::test::sqlite_rows(d.file("out.db"), "SELECT count(*) FROM t");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "20");
}

}  // namespace
