// audit-sql and failure-stats with driver "mysql", against a throwaway
// MariaDB 10.11: the facts the PostgreSQL hook tests check (in
// hook_plugins_test.cpp), plus what is MySQL's own (digest keys, whole-second
// lock waits, reconnecting after a restart, the dsn spellings).
//
// The hooks connect over TCP as a user with a password and only the
// privileges docs/hooks.md lists; the test inspects the server as root over
// its socket.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/plugin_harness.h"
#include "support/ports.h"
#include "support/servers.h"
#include "support/subprocess.h"

namespace {

using ferry::test::BacklogHookHandle;
using ferry::test::CheckpointHookHandle;
using ferry::test::Column;
using ferry::test::make_batch;
using ferry::test::MariaServer;
using ferry::test::OpenParams;
using ferry::test::OwnedBatch;
using ferry::test::Plugin;
using ferry::test::plugin_path;
using ferry::test::Row;
using ferry::test::TempDir;
using ferry::test::Value;
using Rows = std::vector<std::vector<std::string>>;

constexpr const char* kPassword = "Hook-Secret-4711";

// The hooks' mysql driver is built exactly when the mysql plugin is.
bool mysql_built() { return std::filesystem::exists(plugin_path("mysql")); }

const std::vector<Column> kColumns = {{"id", FERRY_TYPE_INT64}, {"name", FERRY_TYPE_STRING}};

// Rows with keys k<first>.. and positions "off:<n>" (a file source's shape).
OwnedBatch batch_of(int first, int count, std::string_view partition = "p0") {
  std::vector<Row> rows;
  for (int i = first; i < first + count; ++i)
    rows.push_back(Row{{Value::int64(i), Value::string("n" + std::to_string(i))},
                       "k" + std::to_string(i),
                       "off:" + std::to_string(i),
                       FERRY_OP_INSERT});
  return make_batch(kColumns, rows, partition, "off:" + std::to_string(first + count - 1));
}

OpenParams params(const TempDir& dir, std::string config_json) {
  OpenParams p;
  p.config_json = std::move(config_json);
  p.base_dir = dir.path();
  return p;
}

// No server needed: an unreachable one tells "built" (RETRY) from "not in
// this build" (CONFIG).
TEST(MysqlHookDriver, IsAvailableExactlyWhenTheMysqlPluginIsBuilt) {
  TempDir dir;
  Plugin audit(plugin_path("audit-sql"));
  const ferry::test::RefusedPort refused;
  const std::string cfg = R"({"driver":"mysql","dsn":"host=127.0.0.1 port=)" +
                          std::to_string(refused.port()) + R"( user=u database=d"})";
  CheckpointHookHandle hook(audit, params(dir, cfg));
  if (mysql_built()) {
    EXPECT_EQ(hook.open_status(), FERRY_RETRY) << hook.host().last_error();
  } else {
    EXPECT_EQ(hook.open_status(), FERRY_ERROR_CONFIG);
    EXPECT_NE(hook.host().last_error().find("driver 'mysql' is not available in this build"),
              std::string::npos)
        << hook.host().last_error();
  }
}

// One throwaway server for all tests; each test uses its own table prefix.
class MysqlHookTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!mysql_built()) return;
    // A failure here would make GoogleTest skip the tests (and ctest count
    // them as skipped): keep it for SetUp to fail each test with.
    try {
      start_server();
    } catch (const std::exception& e) {
      server_.reset();
      setup_error_ = e.what();
    }
  }
  static void start_server() {
    server_ = std::make_unique<MariaServer>();
    // Exactly the privileges docs/hooks.md asks for ('reader' lacks CREATE
    // and the rest).
    std::string users;
    for (const std::string host : {"'127.0.0.1'", "'localhost'"}) {
      users += "CREATE USER 'hook'@" + host + " IDENTIFIED BY '" + kPassword +
               "'; GRANT CREATE, SELECT, INSERT, UPDATE ON hooks.* TO 'hook'@" + host + ";";
      users += "CREATE USER 'reader'@" + host + " IDENTIFIED BY '" + kPassword +
               "'; GRANT SELECT ON hooks.* TO 'reader'@" + host + ";";
      users += "CREATE USER 'writer'@" + host + " IDENTIFIED BY '" + kPassword +
               "'; GRANT SELECT, INSERT, UPDATE ON hooks.* TO 'writer'@" + host + ";";
    }
    server_->sql("CREATE DATABASE hooks CHARACTER SET utf8mb4; " + users);
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    if (!mysql_built())
      FAIL() << "the mysql plugin (and so the hooks' mysql driver) is not built";
    ASSERT_TRUE(server_) << "MariaDB did not start: " << setup_error_;
  }

  static MariaServer& server() { return *server_; }

  static std::string tcp_dsn(const std::string& user = "hook",
                             const std::string& password = kPassword,
                             const std::string& database = "hooks") {
    return "host=127.0.0.1 port=" + std::to_string(server().port()) + " user=" + user +
           " password='" + password + "' database=" + database;
  }
  static std::string config(const std::string& prefix, const std::string& extra = "",
                            const std::string& dsn = tcp_dsn()) {
    return R"({"driver":"mysql","dsn":")" + dsn + R"(","table_prefix":")" + prefix + "\"" +
           (extra.empty() ? "" : "," + extra) + "}";
  }

  // Rows of tab-separated fields, as root in the hooks database.
  static Rows query(const std::string& sql) {
    Rows rows;
    std::istringstream in(server().sql(sql, "hooks"));
    for (std::string line; std::getline(in, line);) {
      std::vector<std::string> row;
      size_t start = 0;
      for (size_t tab = line.find('\t'); tab != std::string::npos; tab = line.find('\t', start)) {
        row.push_back(line.substr(start, tab - start));
        start = tab + 1;
      }
      row.push_back(line.substr(start));
      rows.push_back(row);
    }
    return rows;
  }

  static std::unique_ptr<MariaServer> server_;
  static std::string setup_error_;
  Plugin audit{plugin_path("audit-sql")};
  Plugin stats{plugin_path("failure-stats")};
  TempDir dir;
};

std::unique_ptr<MariaServer> MysqlHookTest::server_;
std::string MysqlHookTest::setup_error_;

TEST_F(MysqlHookTest, AuditBatchGranularityMatchesCommitsAndIgnoresRedelivery) {
  {
    CheckpointHookHandle hook(audit, params(dir, config("b_")));
    ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
    ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
    ASSERT_EQ(hook.on_commit(batch_of(4, 2), "db"), FERRY_OK) << hook.host().last_error();
    ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
  }
  OpenParams again = params(dir, config("b_"));
  again.run_id = "run-2";
  CheckpointHookHandle hook(audit, again);
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_commit(batch_of(4, 2), "db"), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "lake"), FERRY_OK) << hook.host().last_error();

  EXPECT_EQ(query("SELECT pipeline, run_id, sink, `partition`, position, "
                  "coalesce(record_key, 'NULL'), coalesce(record_position, 'NULL'), records "
                  "FROM b_audit ORDER BY id"),
            (Rows{{"test-pipeline", "run-1", "db", "p0", "off:3", "NULL", "NULL", "3"},
                  {"test-pipeline", "run-1", "db", "p0", "off:5", "NULL", "NULL", "2"},
                  {"test-pipeline", "run-2", "lake", "p0", "off:3", "NULL", "NULL", "3"}}));
  EXPECT_EQ(query("SELECT pipeline, records, batches, last_commit_at_ms > 0 "
                  "FROM b_pipeline_stats"),
            (Rows{{"test-pipeline", "8", "3", "1"}}));
}

TEST_F(MysqlHookTest, AuditRecordGranularityMatchesCommitsAndIgnoresRedelivery) {
  CheckpointHookHandle hook(audit, params(dir, config("r_", R"("granularity":"record")")));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
  // Cut differently the second time: 2 and 3 are old, 4 and 5 new.
  ASSERT_EQ(hook.on_commit(batch_of(2, 4), "db"), FERRY_OK) << hook.host().last_error();

  EXPECT_EQ(query("SELECT sink, `partition`, position, record_key, record_position, records "
                  "FROM r_audit ORDER BY id"),
            (Rows{{"db", "p0", "off:3", "k1", "off:1", "1"},
                  {"db", "p0", "off:3", "k2", "off:2", "1"},
                  {"db", "p0", "off:3", "k3", "off:3", "1"},
                  {"db", "p0", "off:5", "k4", "off:4", "1"},
                  {"db", "p0", "off:5", "k5", "off:5", "1"}}));
  EXPECT_EQ(query("SELECT records, batches FROM r_pipeline_stats"), (Rows{{"5", "2"}}));
}

TEST_F(MysqlHookTest, RecordPositionsAreBytesAndRecordsWithoutOneAreAuditedEachTime) {
  CheckpointHookHandle hook(audit, params(dir, config("bin_", R"("granularity":"record")")));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  const std::string binary("\xff\x00\xfe", 3);
  const OwnedBatch batch =
      make_batch(kColumns,
                 {Row{{Value::int64(1), Value::string("a")}, "k1", binary, FERRY_OP_INSERT},
                  Row{{Value::int64(2), Value::string("b")}, "k2", "", FERRY_OP_INSERT}},
                 "p0", binary);
  ASSERT_EQ(hook.on_commit(batch, "db"), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_commit(batch, "db"), FERRY_OK) << hook.host().last_error();

  EXPECT_EQ(query("SELECT record_key, hex(position), coalesce(hex(record_position), 'NULL') "
                  "FROM bin_audit ORDER BY id"),
            (Rows{{"k1", "FF00FE", "FF00FE"}, {"k2", "FF00FE", "NULL"}, {"k2", "FF00FE", "NULL"}}));
  EXPECT_EQ(query("SELECT records, batches FROM bin_pipeline_stats"), (Rows{{"3", "2"}}));
}

TEST_F(MysqlHookTest, AuditAnswersRetryWhileTheServerIsDownAndRecovers) {
  CheckpointHookHandle hook(audit, params(dir, config("down_")));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
  server().stop_immediate();
  EXPECT_EQ(hook.on_commit(batch_of(4, 2), "db"), FERRY_RETRY);
  EXPECT_EQ(hook.on_commit(batch_of(4, 2), "db"), FERRY_RETRY);
  EXPECT_NE(hook.host().last_error().find("audit-sql: connecting (hook@127.0.0.1:"),
            std::string::npos)
      << hook.host().last_error();
  server().start();
  ASSERT_EQ(hook.on_commit(batch_of(4, 2), "db"), FERRY_OK) << hook.host().last_error();
  EXPECT_EQ(query("SELECT records, batches FROM down_pipeline_stats"), (Rows{{"5", "2"}}));
}

// A backlog hook is not called again on RETRY: a connection that died while
// idle must not cost an event.
TEST_F(MysqlHookTest, ConnectionLostWhileIdleIsReplacedWithoutLosingAnEvent) {
  BacklogHookHandle hook(stats, params(dir, config("idle_")));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_failure(batch_of(1, 2), "db", {}), FERRY_OK) << hook.host().last_error();
  server().stop_immediate();
  server().start();
  ASSERT_EQ(hook.on_failure(batch_of(3, 1), "db", {}), FERRY_OK) << hook.host().last_error();
  EXPECT_EQ(query("SELECT failures FROM idle_failure_totals"), (Rows{{"3"}}));
}

TEST_F(MysqlHookTest, AuditWaitsForLockedRowsThenAnswersRetry) {
  CheckpointHookHandle hook(audit, params(dir, config("lock_", R"("busy_timeout_ms":100)")));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  // Another session holds the row lock of this pipeline's stats until the
  // test ends it (KILL): the lock lasts as long as the test needs.
  ferry::test::Process holder(
      {"/usr/bin/mariadb", "--no-defaults", "-S", server().socket(), "-u", "root", "hooks", "-e",
       "BEGIN; INSERT INTO lock_pipeline_stats VALUES ('test-pipeline', 1, 0, 0); "
       "SELECT SLEEP(3600); ROLLBACK;"},
      std::vector<std::string>{}, dir.file("holder.out"), dir.file("holder.err"));
  // Wait until it sleeps, its INSERT (and so the lock) done.
  const std::string sleeper = "FROM information_schema.processlist WHERE info = 'SELECT SLEEP(3600)'";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool holding = false;
  while (!(holding = query("SELECT count(*) " + sleeper) == Rows{{"1"}}) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(holding) << ferry::test::slurp(dir.file("holder.err"));

  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_RETRY);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_NE(hook.host().last_error().find("[1205] Lock wait timeout"), std::string::npos)
      << hook.host().last_error();
  // 100 ms round up to the server's whole second, not its default 50 s: the
  // upper bound leaves a busy machine room and still tells 1 s from 50 s.
  EXPECT_GE(waited, std::chrono::milliseconds(900));
  EXPECT_LT(waited, std::chrono::seconds(30));
  EXPECT_EQ(query("SELECT count(*) FROM lock_audit"), (Rows{{"0"}}));
  const Rows id = query("SELECT id " + sleeper);
  ASSERT_EQ(id.size(), 1u);
  server().sql("KILL " + id[0][0]);
  holder.wait();
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
  EXPECT_EQ(query("SELECT records, batches FROM lock_pipeline_stats"), (Rows{{"3", "1"}}));
}

TEST_F(MysqlHookTest, FailureStatsCountsFailedRowsPerSinkAndClass) {
  BacklogHookHandle hook(stats, params(dir, config("f_")));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_failure(batch_of(1, 3), "db",
                            {{FERRY_INVALID_DATA, "bad date"},
                             {FERRY_RETRY, "timeout"},
                             {FERRY_INVALID_DATA, "bad amount"}}),
            FERRY_OK)
      << hook.host().last_error();
  ASSERT_EQ(hook.on_failure(batch_of(4, 1), "db", {}, FERRY_INVALID_DATA, "too long"), FERRY_OK)
      << hook.host().last_error();
  ASSERT_EQ(hook.on_failure(batch_of(5, 2), "lake", {}, FERRY_RETRY, "503", 5), FERRY_OK)
      << hook.host().last_error();

  EXPECT_EQ(query("SELECT pipeline, sink, error_class, failures, last_message "
                  "FROM f_failure_stats ORDER BY sink, error_class"),
            (Rows{{"test-pipeline", "db", "invalid_data", "3", "too long"},
                  {"test-pipeline", "db", "retry", "1", "timeout"},
                  {"test-pipeline", "lake", "retry", "2", "503"}}));
  EXPECT_EQ(query("SELECT pipeline, failures, last_failure_at_ms > 0 FROM f_failure_totals"),
            (Rows{{"test-pipeline", "6", "1"}}));
}

TEST_F(MysqlHookTest, PrefixNamesTheTables) {
  CheckpointHookHandle a(audit, params(dir, config("etl_")));
  ASSERT_EQ(a.open_status(), FERRY_OK) << a.host().last_error();
  BacklogHookHandle f(stats, params(dir, config("etl_")));
  ASSERT_EQ(f.open_status(), FERRY_OK) << f.host().last_error();
  ASSERT_EQ(a.on_commit(batch_of(1, 2), "db"), FERRY_OK) << a.host().last_error();
  EXPECT_EQ(query("SELECT table_name FROM information_schema.tables "
                  "WHERE table_schema = 'hooks' AND table_name LIKE 'etl\\_%' ORDER BY 1"),
            (Rows{{"etl_audit"}, {"etl_failure_stats"}, {"etl_failure_totals"},
                  {"etl_pipeline_stats"}}));
  EXPECT_EQ(query("SELECT records FROM etl_pipeline_stats"), (Rows{{"2"}}));
  EXPECT_EQ(query("SELECT count(*) FROM information_schema.tables "
                  "WHERE table_schema = 'hooks' AND table_name LIKE 'ferry\\_%'"),
            (Rows{{"0"}}));
}

TEST_F(MysqlHookTest, UriAndUnixSocketDsnsWork) {
  const std::string uri = "mysql://hook:" + std::string(kPassword) + "@127.0.0.1:" +
                          std::to_string(server().port()) + "/hooks";
  const std::string socket_uri =
      "mysql://hook:" + std::string(kPassword) + "@localhost/hooks?socket=" + server().socket();
  const std::string socket_kv = "socket='" + server().socket() + "' user=hook password='" +
                                kPassword + "' database=hooks";
  for (const std::string& dsn : {uri, socket_uri, socket_kv}) {
    BacklogHookHandle f(stats, params(dir, config("dsn_", "", dsn)));
    ASSERT_EQ(f.open_status(), FERRY_OK) << dsn << ": " << f.host().last_error();
    ASSERT_EQ(f.on_failure(batch_of(1, 1), "db", {}), FERRY_OK) << f.host().last_error();
  }
  EXPECT_EQ(query("SELECT failures FROM dsn_failure_totals"), (Rows{{"3"}}));
}

TEST_F(MysqlHookTest, WrongPasswordIsAnErrorThatNeverShowsThePassword) {
  const std::string wrong = "Wrong-Secret-0815";
  const std::string uri = "mysql://hook:" + wrong + "@127.0.0.1:" +
                          std::to_string(server().port()) + "/hooks";
  for (const std::string& dsn : {tcp_dsn("hook", wrong), uri}) {
    CheckpointHookHandle a(audit, params(dir, config("pw_", "", dsn)));
    EXPECT_EQ(a.open_status(), FERRY_ERROR_AUTH) << a.host().last_error();
    EXPECT_NE(a.host().last_error().find("[1045] Access denied for user 'hook'"),
              std::string::npos)
        << a.host().last_error();
    EXPECT_EQ(a.host().last_error().find(wrong), std::string::npos) << a.host().last_error();
    BacklogHookHandle f(stats, params(dir, config("pw_", "", dsn)));
    EXPECT_EQ(f.open_status(), FERRY_ERROR_AUTH) << f.host().last_error();
    EXPECT_EQ(f.host().last_error().find(wrong), std::string::npos) << f.host().last_error();
  }
}

TEST_F(MysqlHookTest, UnreachableServerIsRetryWithoutThePassword) {
  const ferry::test::RefusedPort refused;
  const std::string dsn = "host=127.0.0.1 port=" + std::to_string(refused.port()) +
                          " user=u password=Hidden-Pass-99 database=d connect_timeout=2";
  BacklogHookHandle f(stats, params(dir, config("x_", "", dsn)));
  EXPECT_EQ(f.open_status(), FERRY_RETRY) << f.host().last_error();
  EXPECT_NE(f.host().last_error().find("Can't connect to server on '127.0.0.1'"),
            std::string::npos)
      << f.host().last_error();
  EXPECT_EQ(f.host().last_error().find("Hidden-Pass-99"), std::string::npos)
      << f.host().last_error();

  // A URI password written without percent-encoding, holding '/', '?' and
  // '@': none of it may be taken for the host or database, which messages show.
  const std::string uri = "mysql://u:Hid/den?Pa@ss@127.0.0.1:" + std::to_string(refused.port()) +
                          "/d?connect_timeout=2";
  BacklogHookHandle g(stats, params(dir, config("x_", "", uri)));
  EXPECT_EQ(g.open_status(), FERRY_RETRY) << g.host().last_error();
  for (const char* part : {"Hid", "den", "Pa@ss"})
    EXPECT_EQ(g.host().last_error().find(part), std::string::npos) << part << ": " << g.host().last_error();
}

TEST_F(MysqlHookTest, MissingPrivilegesUnknownDatabasesAndOddTablesAreFatal) {
  CheckpointHookHandle denied(audit, params(dir, config("ro_", "", tcp_dsn("reader"))));
  EXPECT_EQ(denied.open_status(), FERRY_ERROR_AUTH) << denied.host().last_error();
  EXPECT_NE(denied.host().last_error().find("CREATE command denied"), std::string::npos)
      << denied.host().last_error();

  BacklogHookHandle nodb(stats, params(dir, config("x_", "", tcp_dsn("root", "", "nope"))));
  EXPECT_EQ(nodb.open_status(), FERRY_ERROR_CONFIG) << nodb.host().last_error();
  EXPECT_NE(nodb.host().last_error().find("[1049] Unknown database 'nope'"), std::string::npos)
      << nodb.host().last_error();

  // A table of the same name with other columns.
  server().sql("CREATE TABLE odd_audit (id INT PRIMARY KEY)", "hooks");
  // Refused when the hook opens, not at its first event: failure counts
  // are never retried, and would be lost.
  CheckpointHookHandle odd(audit, params(dir, config("odd_")));
  EXPECT_EQ(odd.open_status(), FERRY_ERROR_CONFIG) << odd.host().last_error();
  EXPECT_NE(odd.host().last_error().find("[1054] Unknown column"), std::string::npos)
      << odd.host().last_error();
  server().sql("CREATE TABLE oddf_failure_totals (pipeline VARCHAR(255) PRIMARY KEY)", "hooks");
  BacklogHookHandle oddf(stats, params(dir, config("oddf_")));
  EXPECT_EQ(oddf.open_status(), FERRY_ERROR_CONFIG) << oddf.host().last_error();
}

// Once the tables exist, CREATE is not needed: a user that may only read
// and write rows opens and records (CREATE TABLE IF NOT EXISTS alone is
// refused without it).
TEST_F(MysqlHookTest, AUserThatMayOnlyWriteRowsUsesTablesThatExist) {
  {
    CheckpointHookHandle a(audit, params(dir, config("w_")));
    ASSERT_EQ(a.open_status(), FERRY_OK) << a.host().last_error();
    BacklogHookHandle f(stats, params(dir, config("w_")));
    ASSERT_EQ(f.open_status(), FERRY_OK) << f.host().last_error();
  }
  CheckpointHookHandle a(audit, params(dir, config("w_", "", tcp_dsn("writer"))));
  ASSERT_EQ(a.open_status(), FERRY_OK) << a.host().last_error();
  ASSERT_EQ(a.on_commit(batch_of(1, 2), "db"), FERRY_OK) << a.host().last_error();
  BacklogHookHandle f(stats, params(dir, config("w_", "", tcp_dsn("writer"))));
  ASSERT_EQ(f.open_status(), FERRY_OK) << f.host().last_error();
  ASSERT_EQ(f.on_failure(batch_of(3, 1), "db", {}, FERRY_INVALID_DATA, "bad"), FERRY_OK) << f.host().last_error();
  EXPECT_EQ(query("SELECT records FROM w_pipeline_stats"), (Rows{{"2"}}));
  EXPECT_EQ(query("SELECT failures FROM w_failure_totals"), (Rows{{"1"}}));
}

TEST_F(MysqlHookTest, BadDsnsAreConfigErrorsThatQuoteNoSecret) {
  const std::string secret = "Never-Shown-42";
  for (const std::string& dsn :
       {"mysql://hook:" + secret + "@127.0.0.1:notaport/hooks",
        "host=127.0.0.1 user=hook pasword=" + secret + " database=hooks",
        "host=127.0.0.1 user=hook password='" + secret, "user=hook password=" + secret,
        "postgresql://hook:" + secret + "@127.0.0.1/hooks",
        // A '%' in a URI password that is not followed by two hex digits.
        "mysql://hook:" + secret + "%zz@127.0.0.1/hooks", "mysql://hook:" + secret + "%4@127.0.0.1/hooks",
        // An unquoted password with a space: its second half is a stray word.
        "host=127.0.0.1 user=hook password=x " + secret + " database=hooks"}) {
    CheckpointHookHandle a(audit, params(dir, config("bad_", "", dsn)));
    EXPECT_EQ(a.open_status(), FERRY_ERROR_CONFIG) << dsn << ": " << a.host().last_error();
    EXPECT_NE(a.host().last_error().find("audit-sql: option 'dsn' is not a valid mysql "
                                         "connection string"),
              std::string::npos)
        << a.host().last_error();
    EXPECT_EQ(a.host().last_error().find(secret), std::string::npos) << a.host().last_error();
  }
}

TEST_F(MysqlHookTest, DriverOptionsAreCheckedLikePostgres) {
  for (const char* cfg : {R"({"driver":"mysql"})",
                          R"({"driver":"mysql","dsn":"user=u database=d","path":"a.db"})"}) {
    CheckpointHookHandle a(audit, params(dir, cfg));
    EXPECT_EQ(a.open_status(), FERRY_ERROR_CONFIG) << cfg;
    BacklogHookHandle f(stats, params(dir, cfg));
    EXPECT_EQ(f.open_status(), FERRY_ERROR_CONFIG) << cfg;
  }
  CheckpointHookHandle a(audit, params(dir, R"({"driver":"mysql"})"));
  EXPECT_NE(a.host().last_error().find("option 'dsn' is required for driver 'mysql'"),
            std::string::npos)
      << a.host().last_error();
}

}  // namespace
