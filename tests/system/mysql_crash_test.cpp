// Exactly-once of the mysql sink under failure, with the real `ferry`
// binary and throwaway MariaDB servers:
//   - MySQL -> MySQL, 500,000 rows, `ferry` killed with SIGKILL ten times at
//     random points of its progress and restarted, in append and in upsert
//     mode: the target equals the source (count and an order-independent
//     checksum), with no duplicates;
//   - the target server is killed mid-run and started again once the run
//     has retried five times: the run rides it out on retries and finishes
//     without loss or duplicates.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "support/kill_loop.h"
#include "support/run_log.h"
#include "support/servers.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::MariaServer;
using ferry::test::TempDir;

constexpr int64_t kRows = 500000;
constexpr int kKills = 10;
constexpr const char* kPassword = "S3cret-pw";

void add_user(const MariaServer& server) {
  server.sql("CREATE USER 'ferry'@'127.0.0.1' IDENTIFIED BY '" + std::string(kPassword) + "';"
             "CREATE USER 'ferry'@'localhost' IDENTIFIED BY '" + std::string(kPassword) + "';"
             "GRANT ALL ON *.* TO 'ferry'@'127.0.0.1'; GRANT ALL ON *.* TO 'ferry'@'localhost';");
}

std::string conn(const MariaServer& server, const std::string& db) {
  return R"("host": "127.0.0.1", "port": )" + std::to_string(server.port()) +
         R"(, "user": "ferry", "password": ")" + kPassword + R"(", "database": ")" + db + "\"";
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// A count, or -1 while the server or the table is not there.
int64_t count_or_minus_one(const MariaServer& server, const std::string& table) {
  try {
    return std::stoll(trimmed(server.sql("SELECT COUNT(*) FROM " + table)));
  } catch (const std::exception&) {
    return -1;
  }
}

class MysqlCrash : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<MariaServer>();
    add_user(*server_);
    // The Sequence engine makes 500,000 rows in well under a second.
    server_->sql(
        "CREATE DATABASE src CHARACTER SET utf8mb4; CREATE DATABASE dst CHARACTER SET utf8mb4;");
    server_->sql(
        "SET NAMES utf8mb4; CREATE TABLE src.orders (id BIGINT PRIMARY KEY, ts DATETIME(6) NOT NULL,"
        " name VARCHAR(64) NOT NULL, amount DECIMAL(18,4));"
        "INSERT INTO src.orders SELECT seq, '2024-01-01' + INTERVAL seq SECOND + INTERVAL (seq % 997) "
        "MICROSECOND, CONCAT('name-', seq, IF(seq % 10 = 0, ' ü\\t😀', '')), "
        "IF(seq % 13 = 0, NULL, seq * 0.0125) FROM seq_1_to_" + std::to_string(kRows) + ";",
        "src");
  }
  static void TearDownTestSuite() { server_.reset(); }

  static std::string checksum(const std::string& table) {
    return trimmed(server_->sql("SELECT COUNT(*), COUNT(DISTINCT id), SUM(CRC32(CONCAT_WS('|', id, ts, "
                                "name, amount))) FROM " + table));
  }

  std::string pipeline(const std::string& name, const std::string& db, const std::string& sink_extra) {
    return R"({"name": ")" + name + R"(", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "mysql", "config": {)" + conn(*server_, "src") + R"(, "table": "orders"}},
      "batch": {"max_records": 2000},
      "sinks": [{"name": "db", "plugin": "mysql", "config": {)" + conn(*server_, db) +
           R"(, "table": "orders")" + sink_extra + "}}]}";
  }

  void exactly_once(const std::string& mode, const std::string& key_ddl, uint64_t seed) {
    TempDir dir;
    // Same column types as the source, so the checksums compare directly;
    // in append mode no key, so a row written twice would be counted twice.
    const std::string ddl = "(id BIGINT NOT NULL, ts DATETIME(6) NOT NULL, name VARCHAR(64) NOT NULL, "
                            "amount DECIMAL(18,4)" + key_ddl + ") ENGINE=InnoDB";
    server_->sql("DROP TABLE IF EXISTS dst.orders, dst.ferry_checkpoints;"
                 "CREATE TABLE dst.orders " + ddl + ";");
    const std::string sink = R"(, "mode": ")" + mode + R"(", "key": ["id"], "create_table": false)";

    ferry::test::write_file(dir.file("p.json"), pipeline("crash", "dst", sink));
    ferry::test::KillLoopSpec spec;
    spec.argv = {FERRY_TEST_BINARY, "run", "--no-progress", dir.file("p.json")};
    spec.out_file = dir.file("out.txt");
    spec.err_file = dir.file("err.txt");
    spec.total = kRows;
    spec.landed = [&] { return count_or_minus_one(*server_, "dst.orders"); };
    spec.kills = kKills;
    spec.seed = seed;
    spec.poll = std::chrono::milliseconds(20);  // each look starts a client
    const ferry::test::KillLoopResult r = ferry::test::kill_loop(spec);
    EXPECT_GE(r.kills, kKills) << "the run finished before it was killed often enough";
    EXPECT_GE(r.kills_mid_data, kKills / 2) << "too few kills landed while data was moving";
    const std::string expected = checksum("src.orders");
    EXPECT_EQ(checksum("dst.orders"), expected) << "count, distinct ids, checksum";
    EXPECT_EQ(expected.substr(0, expected.find('\t')), std::to_string(kRows));
    EXPECT_EQ(trimmed(server_->sql("SELECT `position` FROM dst.ferry_checkpoints WHERE pipeline = 'crash'")),
              "[" + std::to_string(kRows) + "]");
  }

  static std::unique_ptr<MariaServer> server_;
};

std::unique_ptr<MariaServer> MysqlCrash::server_;

TEST_F(MysqlCrash, AppendIsExactlyOnceUnderRepeatedSigkill) { exactly_once("append", "", 20261121); }

TEST_F(MysqlCrash, UpsertIsExactlyOnceUnderRepeatedSigkill) {
  exactly_once("upsert", ", PRIMARY KEY (id)", 4242);
}

// The target server dies (SIGKILL, like a crash) while the run is writing and
// comes back once the run has failed and retried five times; the retry policy
// outlasts the outage.
TEST(MysqlOutage, TheRunSurvivesTheTargetServerDyingAndComingBack) {
  constexpr int64_t kCount = 200000;
  MariaServer target;
  add_user(target);
  target.sql("CREATE DATABASE dst CHARACTER SET utf8mb4;");
  TempDir dir;
  ferry::test::write_file(dir.file("p.json"), R"({"name": "outage",
    "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": )" + std::to_string(kCount) + R"(}},
    "batch": {"max_records": 500},
    "retry": {"max_attempts": 200, "initial_delay_ms": 100, "max_delay_ms": 1000,
              "max_elapsed_ms": 180000, "on_exhausted": "fail"},
    "sinks": [{"name": "db", "plugin": "mysql", "config": {)" + conn(target, "dst") +
                                                R"(, "table": "orders"}}]})");
  ferry::test::Process p({FERRY_TEST_BINARY, "run", "--no-progress", dir.file("p.json")}, {},
                         dir.file("out.txt"), dir.file("err.txt"));
  // Wait until the run is well under way, then pull the plug.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int64_t landed = -1;
  while ((landed = count_or_minus_one(target, "dst.orders")) < kCount / 5 &&
         std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_GE(landed, kCount / 5) << ferry::test::slurp(dir.file("err.txt"));
  ASSERT_LT(landed, kCount) << "the run finished before the outage; make it longer";
  target.stop_immediate();
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
  EXPECT_TRUE(err.find("retrying") != std::string::npos ||
              err.find("writing the batch again") != std::string::npos)
      << "the outage was not noticed: " << err;
  EXPECT_EQ(err.find(kPassword), std::string::npos) << err;
  EXPECT_EQ(trimmed(target.sql("SELECT COUNT(*), COUNT(DISTINCT id), MIN(id), MAX(id), "
                               "SUM(name <> CONCAT('name-', id)) FROM dst.orders")),
            std::to_string(kCount) + "\t" + std::to_string(kCount) + "\t1\t" +
                std::to_string(kCount) + "\t0");
}

}  // namespace
