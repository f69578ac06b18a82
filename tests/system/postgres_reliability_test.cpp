// The postgres sink's exactly-once promise under failure, with the real
// `ferry` binary and real PostgreSQL 15 servers: SIGKILL at random points of
// the run's progress (append and upsert), and the target server crashing
// mid-run and coming back once the run has retried five times. After each,
// the target must equal the source: same row count, same order-independent
// checksum, no duplicates.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <functional>
#include <string>
#include <thread>

#include "support/kill_loop.h"
#include "support/pg_count.h"
#include "support/run_log.h"
#include "support/servers.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::PgServer;
using ferry::test::TempDir;

constexpr int64_t kRows = 500000;
constexpr int kKills = 10;

class PostgresReliability : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    source_ = std::make_unique<PgServer>();
    source_->psql("CREATE DATABASE src");
    source_->psql(
        "CREATE TABLE orders (id bigint PRIMARY KEY, ts timestamptz NOT NULL, name text, amount numeric);"
        "INSERT INTO orders SELECT g, '2024-01-01'::timestamptz + g * interval '1.5 s', "
        "'name-' || g || CASE WHEN g % 7 = 0 THEN E'\\t\\\\x' ELSE '' END, g * 0.25 "
        "FROM generate_series(1, " + std::to_string(kRows) + ") g",
        "src");
  }
  static void TearDownTestSuite() { source_.reset(); }

  static std::string pipeline(const std::string& name, const PgServer& target, const std::string& db,
                              const std::string& sink_extra, int batch, const std::string& extra = "") {
    return R"({"name": ")" + name + R"(", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "postgres", "config": {"dsn": ")" + source_->dsn("src") +
           R"(", "table": "orders", "cursor": ["id"]}},
      "batch": {"max_records": )" + std::to_string(batch) + "}, " + extra + R"(
      "sinks": [{"name": "db", "plugin": "postgres", "config": {"dsn": ")" + target.dsn(db) +
           R"(", "table": "orders")" + sink_extra + "}}]}";
  }
  // count | distinct ids | order-independent checksum of every column.
  static std::string fingerprint(const PgServer& server, const std::string& db) {
    return server.psql("SELECT count(*), count(DISTINCT id), sum(hashtext(x::text)::numeric), "
                       "md5(string_agg(x::text, ',' ORDER BY id)) FROM orders x",
                       db);
  }
  static int64_t landed(const PgServer& server, const std::string& db) {
    try {
      return std::stoll(server.psql("SELECT count(*) FROM orders", db));
    } catch (const std::exception&) {
      return 0;  // no table yet
    }
  }

  static std::unique_ptr<PgServer> source_;
};
std::unique_ptr<PgServer> PostgresReliability::source_;

void crash_test(PgServer& source, const std::string& mode_config, const std::string& db, uint64_t seed,
                const std::function<std::string(const std::string&)>& make_pipeline) {
  source.psql("CREATE DATABASE " + db);
  TempDir dir;
  ferry::test::write_file(dir.file("p.json"), make_pipeline(db));
  ferry::test::KillLoopSpec spec;
  spec.argv = {FERRY_TEST_BINARY, "run", "--no-progress", dir.file("p.json")};
  spec.out_file = dir.file("out.txt");
  spec.err_file = dir.file("err.txt");
  spec.total = kRows;
  spec.landed = ferry::test::pg_row_counter(source.dsn(db), "orders");
  spec.kills = kKills;
  spec.seed = seed;
  spec.poll = std::chrono::milliseconds(5);
  const ferry::test::KillLoopResult s = ferry::test::kill_loop(spec);
  EXPECT_GE(s.kills, kKills) << "the run finished before it was killed often enough (" << mode_config << ")";
  EXPECT_GE(s.kills_mid_data, kKills / 2) << "too few kills landed while data was moving";
}

TEST_F(PostgresReliability, AppendIsExactlyOnceUnderRepeatedSigkill) {
  // Target on the same server as the source, other databases.
  crash_test(*source_, "append", "crash_append", 20261121, [&](const std::string& db) {
    return pipeline("crash", *source_, db, "", 10000);
  });
  EXPECT_EQ(fingerprint(*source_, "crash_append"), fingerprint(*source_, "src"));
}

TEST_F(PostgresReliability, UpsertIsExactlyOnceUnderRepeatedSigkill) {
  crash_test(*source_, "upsert", "crash_upsert", 777, [&](const std::string& db) {
    return pipeline("crashu", *source_, db, R"(, "mode": "upsert", "key": ["id"])", 10000);
  });
  EXPECT_EQ(fingerprint(*source_, "crash_upsert"), fingerprint(*source_, "src"));
}

TEST_F(PostgresReliability, TargetServerCrashAndReturnLosesAndDuplicatesNothing) {
  PgServer target;
  target.psql("CREATE DATABASE dst");
  TempDir dir;
  // Retries outlast the outage: up to 1000 attempts at most 1 s apart.
  ferry::test::write_file(
      dir.file("p.json"),
      pipeline("outage", target, "dst", "", 5000,
               R"("retry": {"max_attempts": 1000, "initial_delay_ms": 100, "max_delay_ms": 1000,
                            "max_elapsed_ms": 90000, "on_exhausted": "fail"},)"));
  ferry::test::Process p({FERRY_TEST_BINARY, "run", "--no-progress", dir.file("p.json")}, {},
                         dir.file("out.txt"), dir.file("err.txt"));
  // Crash the target once data is flowing, not before.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int64_t before = 0;
  while ((before = landed(target, "dst")) < 20000 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_LT(before, kRows) << "the run finished before the outage";
  target.stop_immediate();
  // The server stays down until the run has failed and retried five times
  // (a few seconds of backoff): the outage is seen, whatever the machine's
  // speed, before the server comes back.
  const auto outage_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::pair<int, int> status;
  bool ended = false;
  while (ferry::test::retries_logged(ferry::test::slurp(dir.file("err.txt"))) < 5 && !(ended = p.finished(&status)) &&
         std::chrono::steady_clock::now() < outage_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_FALSE(ended || p.finished(&status)) << "the run ended during the outage: "
                                             << ferry::test::slurp(dir.file("err.txt"));
  ASSERT_GE(ferry::test::retries_logged(ferry::test::slurp(dir.file("err.txt"))), 5)
      << "no retries during the outage: " << ferry::test::slurp(dir.file("err.txt"));
  target.start();
  auto [code, sig] = p.wait();
  const std::string err = ferry::test::slurp(dir.file("err.txt"));
  ASSERT_EQ(code, 0) << err;
  // The outage may meet a write ("retrying in") or a commit ("asking again
  // in"), as the kill falls: both are the retry this test is about.
  EXPECT_GE(ferry::test::retries_logged(err), 5) << "no retry was logged: " << err;
  EXPECT_EQ(fingerprint(target, "dst"), fingerprint(*source_, "src"));
}

}  // namespace
