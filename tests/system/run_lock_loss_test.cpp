// A run holds its pipeline through a lock on the PostgreSQL state database,
// which ends with the lock's session (idle_session_timeout, a dropped
// connection, a terminated backend); another run may then take the
// pipeline. The holder must find out before it commits again, not write on
// beside the new run into an exactly-once sink.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/servers.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::TempDir;

// A run as a worker (the default with PostgreSQL state) holds a share of the
// lock on its lease session; an exclusive run holds it alone.
void run_and_lose_the_lock(const std::string& mode, const std::string& says) {
  ferry::test::PgServer pg;
  pg.psql("CREATE DATABASE st");
  pg.psql("CREATE DATABASE tgt");
  TempDir dir;
  const std::string json = R"({"name": "locked", "state": {"type": "postgres", "dsn": ")" + pg.dsn("st") + R"("},
    "source": {"plugin": "generator", "config": {"count": 20000}},
    "batch": {"max_records": 100},
    "sinks": [{"name": "db", "plugin": "postgres", "config": {"dsn": ")" +
                           pg.dsn("tgt") + R"(", "table": "t"}}]})";
  ferry::test::write_file(dir.file("p.json"), json);

  // Slow enough to be caught mid-run on a loaded machine: 200 batches at
  // 2,000 rows a second.
  std::vector<std::string> argv = {FERRY_TEST_BINARY, "run", "--no-progress", "--rate", "2000"};
  if (!mode.empty()) argv.push_back(mode);
  argv.push_back(dir.file("p.json"));
  ferry::test::Process run(argv, {}, dir.file("out.txt"), dir.file("err.txt"));
  auto rows = [&] { return std::stoll(pg.psql("SELECT count(*) FROM t", "tgt")); };
  // Until it committed something (the table exists and holds rows).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::pair<int, int> result;
  while (std::chrono::steady_clock::now() < deadline && !run.finished(&result)) {
    try {
      if (rows() > 0) break;
    } catch (const std::exception&) {  // the table is not there yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GT(rows(), 0) << ferry::test::slurp(dir.file("err.txt"));
  ASSERT_LT(rows(), 20000) << "the run ended before its lock could be taken from it";

  // The lock's session ends, as idle_session_timeout or a network drop would end it.
  pg.psql("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2",
          "st");
  result = run.wait();
  const std::string err = ferry::test::slurp(dir.file("err.txt"));
  EXPECT_NE(result.first, 0) << err;
  EXPECT_NE(err.find(says), std::string::npos) << err;
  EXPECT_LT(rows(), 20000) << "it wrote on to the end";

  // What it committed is what the next run resumes after: every row once.
  const auto again = ferry::test::ferry({"run", "--no-progress", dir.file("p.json")});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(pg.psql("SELECT count(*), count(DISTINCT id) FROM t", "tgt"), "20000|20000\n");
}

TEST(RunLockLoss, AWorkerWhoseSessionEndsStopsBeforeItsNextCommit) {
  // (or, if the heartbeat notices first, the lease's own words: "lost its session with the state store")
  run_and_lose_the_lock("", "lost its session");
}

TEST(RunLockLoss, AnExclusiveRunWhoseLockSessionEndsStopsBeforeItsNextCommit) {
  run_and_lose_the_lock("--exclusive", "the run lock of pipeline 'locked' was lost");
}

}  // namespace
