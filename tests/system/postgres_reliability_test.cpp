// The postgres sink's exactly-once promise under failure, with the real
// `ferry` binary and real PostgreSQL 15 servers: SIGKILL at random moments
// (append and upsert), and the target server crashing mid-run and coming
// back once the run has retried five times. After each, the target must equal the source: same
// row count, same order-independent checksum, no duplicates.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <thread>

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

int calibrate_ms(const TempDir& dir, const std::string& pipeline_json) {
  ferry::test::write_file(dir.file("calibrate.json"), pipeline_json);
  auto start = std::chrono::steady_clock::now();
  auto r = ferry::test::run_process({FERRY_TEST_BINARY, "run", "--no-progress", dir.file("calibrate.json")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
}

struct KillStats {
  int kills = 0;
  int kills_mid_data = 0;
};

// Kills `ferry run` at random moments, restarting it every time, then lets
// it finish. Odd kills come 4-10% of a full run after the start (startup,
// first query, first batch in flight); even kills come 0-8% of a full run
// after this run's first commit was seen, so at least half land while data
// is moving. Ten kills take well under a full run's work on average.
KillStats kill_loop(const TempDir& dir, const std::string& pipeline_json, int full_ms, uint64_t seed,
                    const std::function<int64_t()>& rows) {
  ferry::test::write_file(dir.file("p.json"), pipeline_json);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> from_start(std::max(20, full_ms / 25), std::max(40, full_ms / 10));
  std::uniform_int_distribution<int> after_commit(0, std::max(20, full_ms * 8 / 100));
  KillStats stats;
  for (int attempt = 0; attempt < 300; ++attempt) {
    const int64_t before = rows();
    ferry::test::Process p({FERRY_TEST_BINARY, "run", "--no-progress", dir.file("p.json")}, {},
                           dir.file("out.txt"), dir.file("err.txt"));
    if (stats.kills >= kKills) {
      auto [code, sig] = p.wait();
      EXPECT_EQ(code, 0) << ferry::test::slurp(dir.file("err.txt"));
      return stats;
    }
    std::pair<int, int> status;
    bool exited = false;
    auto wait_until = [&](std::chrono::steady_clock::time_point deadline, const std::function<bool()>& done) {
      while (std::chrono::steady_clock::now() < deadline && !(exited = p.finished(&status)) && !done())
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    };
    const auto start = std::chrono::steady_clock::now();
    if (stats.kills % 2 == 0) {
      wait_until(start + std::chrono::milliseconds(from_start(rng)), [] { return false; });
    } else {
      wait_until(start + std::chrono::seconds(60), [&] { return rows() > before; });
      if (!exited)
        wait_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(after_commit(rng)),
                   [] { return false; });
    }
    if (exited) {
      EXPECT_EQ(status.first, 0) << ferry::test::slurp(dir.file("err.txt"));
      return stats;
    }
    p.kill_now(SIGKILL);
    p.wait();
    ++stats.kills;
    const int64_t n = rows();
    if (n > 0 && n < kRows) ++stats.kills_mid_data;
  }
  ADD_FAILURE() << "the pipeline never finished";
  return stats;
}

void crash_test(PgServer& source, const std::string& mode_config, const std::string& db, uint64_t seed,
                const std::function<std::string(const std::string&)>& make_pipeline) {
  source.psql("CREATE DATABASE " + db + "_cal");
  source.psql("CREATE DATABASE " + db);
  TempDir cal;
  const int full_ms = calibrate_ms(cal, make_pipeline(db + "_cal"));
  TempDir dir;
  KillStats s = kill_loop(dir, make_pipeline(db), full_ms, seed, [&] {
    try {
      return std::stoll(source.psql("SELECT count(*) FROM orders", db));
    } catch (const std::exception&) {
      return 0ll;
    }
  });
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
  EXPECT_NE(err.find("retrying"), std::string::npos) << "no retry was logged: " << err;
  EXPECT_EQ(fingerprint(target, "dst"), fingerprint(*source_, "src"));
}

}  // namespace
