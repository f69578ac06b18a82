// The bundled hook plugins through their C ABI: audit-sql (checkpoint hook),
// failure-stats (backlog hook) and webhook (both), with events shaped like
// the ones framework/engine/pipeline_run.cpp fires.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/plugin_harness.h"
#include "support/ports.h"
#include "support/servers.h"
#include "support/webhook_receiver.h"

namespace {

using ferry::test::BacklogHookHandle;
using ferry::test::CheckpointHookHandle;
using ferry::test::Column;
using ferry::test::make_batch;
using ferry::test::OpenParams;
using ferry::test::OwnedBatch;
using ferry::test::Plugin;
using ferry::test::plugin_path;
using ferry::test::Row;
using ferry::test::RowFailure;
using ferry::test::TempDir;
using ferry::test::Value;
using ferry::test::WebhookReceiver;
using Rows = std::vector<std::vector<std::string>>;

// Reads a database the way a person would, on its own connection.
class Db {
 public:
  explicit Db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK)
      throw std::runtime_error("cannot open " + path);
    sqlite3_busy_timeout(db_, 2000);
  }
  ~Db() { sqlite3_close_v2(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error(sql + ": " + msg);
    }
  }
  // Every cell as text; SQL NULL as "NULL".
  Rows query(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    Rows rows;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(s); ++c) {
        if (sqlite3_column_type(s, c) == SQLITE_NULL) {
          row.emplace_back("NULL");
          continue;
        }
        const auto* p = static_cast<const char*>(sqlite3_column_blob(s, c));
        row.emplace_back(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(s, c)));
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    return rows;
  }
  std::string scalar(const std::string& sql) {
    Rows rows = query(sql);
    return rows.empty() || rows[0].empty() ? "<none>" : rows[0][0];
  }

 private:
  sqlite3* db_ = nullptr;
};

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

// ---------------------------------------------------------------------------
// audit-sql

class AuditSqlTest : public ::testing::Test {
 protected:
  Plugin plugin{plugin_path("audit-sql")};
  TempDir dir;
  std::string db_path() const { return dir.file("audit.db"); }
};

TEST_F(AuditSqlTest, DescribesItselfAsACheckpointHook) {
  EXPECT_STREQ(plugin.descriptor().name, "audit-sql");
  ASSERT_NE(plugin.kind(FERRY_KIND_CHECKPOINT_HOOK), nullptr);
  EXPECT_EQ(plugin.kind(FERRY_KIND_BACKLOG_HOOK), nullptr);
  EXPECT_NE(plugin.api().checkpoint_hook, nullptr);
}

TEST_F(AuditSqlTest, BatchGranularityWritesOneRowPerCommittedBatch) {
  CheckpointHookHandle hook(plugin, params(dir, R"({"path":"audit.db"})"));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_commit(batch_of(4, 2), "db"), FERRY_OK) << hook.host().last_error();

  Db db(db_path());
  EXPECT_EQ(db.query("SELECT pipeline, run_id, sink, partition, position, record_key, "
                     "record_position, records FROM ferry_audit ORDER BY id"),
            (Rows{{"test-pipeline", "run-1", "db", "p0", "off:3", "NULL", "NULL", "3"},
                  {"test-pipeline", "run-1", "db", "p0", "off:5", "NULL", "NULL", "2"}}));
  EXPECT_EQ(db.query("SELECT pipeline, records, batches FROM ferry_pipeline_stats"),
            (Rows{{"test-pipeline", "5", "2"}}));
  EXPECT_NE(db.scalar("SELECT last_commit_at_ms FROM ferry_pipeline_stats"), "0");
}

TEST_F(AuditSqlTest, RecordGranularityWritesOneRowPerCommittedRecord) {
  CheckpointHookHandle hook(plugin,
                            params(dir, R"({"path":"audit.db","granularity":"record"})"));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();

  Db db(db_path());
  EXPECT_EQ(db.query("SELECT sink, partition, position, record_key, record_position, records "
                     "FROM ferry_audit ORDER BY id"),
            (Rows{{"db", "p0", "off:3", "k1", "off:1", "1"},
                  {"db", "p0", "off:3", "k2", "off:2", "1"},
                  {"db", "p0", "off:3", "k3", "off:3", "1"}}));
  EXPECT_EQ(db.query("SELECT records, batches FROM ferry_pipeline_stats"), (Rows{{"3", "1"}}));
}

TEST_F(AuditSqlTest, RedeliveredBatchIsAuditedOnce) {
  {
    CheckpointHookHandle hook(plugin, params(dir, R"({"path":"audit.db"})"));
    ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
    ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
  }
  // After a crash the next run delivers the batch again under a new run id.
  OpenParams again = params(dir, R"({"path":"audit.db"})");
  again.run_id = "run-2";
  CheckpointHookHandle hook(plugin, again);
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
  // The same batch acknowledged by another sink is a separate fact.
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "lake"), FERRY_OK) << hook.host().last_error();

  Db db(db_path());
  EXPECT_EQ(db.query("SELECT run_id, sink, records FROM ferry_audit ORDER BY id"),
            (Rows{{"run-1", "db", "3"}, {"run-2", "lake", "3"}}));
  EXPECT_EQ(db.query("SELECT records, batches FROM ferry_pipeline_stats"), (Rows{{"6", "2"}}));
}

TEST_F(AuditSqlTest, RedeliveredRecordsAreAuditedOnce) {
  CheckpointHookHandle hook(plugin,
                            params(dir, R"({"path":"audit.db","granularity":"record"})"));
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
  // Cut differently the second time: 2 and 3 are old, 4 and 5 new.
  ASSERT_EQ(hook.on_commit(batch_of(2, 4), "db"), FERRY_OK) << hook.host().last_error();

  Db db(db_path());
  EXPECT_EQ(db.query("SELECT record_key FROM ferry_audit ORDER BY id"),
            (Rows{{"k1"}, {"k2"}, {"k3"}, {"k4"}, {"k5"}}));
  EXPECT_EQ(db.query("SELECT records, batches FROM ferry_pipeline_stats"), (Rows{{"5", "2"}}));
}

TEST_F(AuditSqlTest, PrefixNamesTheTables) {
  CheckpointHookHandle hook(plugin,
                            params(dir, R"({"path":"audit.db","table_prefix":"etl_"})"));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_commit(batch_of(1, 2), "db"), FERRY_OK) << hook.host().last_error();
  Db db(db_path());
  EXPECT_EQ(db.scalar("SELECT count(*) FROM etl_audit"), "1");
  EXPECT_EQ(db.scalar("SELECT records FROM etl_pipeline_stats"), "2");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'ferry_audit'"), "0");
}

// A table of the same name but another shape (left by something else) is
// refused when the hook opens, so the run stops before its first commit,
// instead of every commit's audit failing afterwards.
TEST_F(AuditSqlTest, ATableOfAnotherShapeIsRefusedAtOpen) {
  {
    Db db(db_path());
    db.exec("CREATE TABLE ferry_audit (id INTEGER PRIMARY KEY)");
  }
  CheckpointHookHandle hook(plugin, params(dir, R"({"path":"audit.db"})"));
  EXPECT_EQ(hook.open_status(), FERRY_ERROR_CONFIG);
  EXPECT_NE(hook.host().last_error().find("pipeline"), std::string::npos) << hook.host().last_error();
}

TEST_F(AuditSqlTest, UnavailableDriverIsAConfigError) {
  CheckpointHookHandle hook(plugin, params(dir, R"({"path":"audit.db","driver":"oracle"})"));
  EXPECT_EQ(hook.open_status(), FERRY_ERROR_CONFIG);
  EXPECT_NE(hook.host().last_error().find("driver 'oracle' is not available in this build"),
            std::string::npos)
      << hook.host().last_error();
}

TEST_F(AuditSqlTest, BadOptionsAreConfigErrors) {
  for (const char* config : {R"({})", R"({"path":"a.db","granularity":"row"})",
                             R"({"driver":"postgres"})",
                             R"({"driver":"postgres","dsn":"host=h","path":"a.db"})",
                             R"({"path":"a.db","dsn":"host=h"})",
                             R"({"path":"a.db","table_prefix":"x\"; DROP"})",
                             R"({"path":"a.db","colour":"red"})"}) {
    CheckpointHookHandle hook(plugin, params(dir, config));
    EXPECT_EQ(hook.open_status(), FERRY_ERROR_CONFIG) << config;
    EXPECT_NE(hook.host().last_error().find("audit-sql: "), std::string::npos) << config;
  }
}

TEST_F(AuditSqlTest, BusyDatabaseAnswersRetryAndWritesNothing) {
  CheckpointHookHandle hook(plugin,
                            params(dir, R"({"path":"audit.db","busy_timeout_ms":0})"));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  Db other(db_path());
  other.exec("BEGIN EXCLUSIVE");
  EXPECT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_RETRY);
  EXPECT_NE(hook.host().last_error().find("locked"), std::string::npos)
      << hook.host().last_error();
  EXPECT_EQ(other.scalar("SELECT count(*) FROM ferry_audit"), "0");
  other.exec("COMMIT");

  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
  EXPECT_EQ(other.query("SELECT records, batches FROM ferry_pipeline_stats"), (Rows{{"3", "1"}}));
}

// ---------------------------------------------------------------------------
// failure-stats

class FailureStatsTest : public ::testing::Test {
 protected:
  Plugin plugin{plugin_path("failure-stats")};
  TempDir dir;
};

TEST_F(FailureStatsTest, DescribesItselfAsABacklogHook) {
  EXPECT_STREQ(plugin.descriptor().name, "failure-stats");
  ASSERT_NE(plugin.kind(FERRY_KIND_BACKLOG_HOOK), nullptr);
  EXPECT_EQ(plugin.kind(FERRY_KIND_CHECKPOINT_HOOK), nullptr);
}

TEST_F(FailureStatsTest, CountsFailedRowsPerSinkAndClass) {
  BacklogHookHandle hook(plugin, params(dir, R"({"path":"stats.db"})"));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_failure(batch_of(1, 3), "db",
                            {{FERRY_INVALID_DATA, "bad date"},
                             {FERRY_RETRY, "timeout"},
                             {FERRY_INVALID_DATA, "bad amount"}}),
            FERRY_OK)
      << hook.host().last_error();
  ASSERT_EQ(hook.on_failure(batch_of(4, 1), "db", {}, FERRY_INVALID_DATA, "too long"), FERRY_OK);
  ASSERT_EQ(hook.on_failure(batch_of(5, 2), "lake", {}, FERRY_RETRY, "503", 5), FERRY_OK);

  Db db(dir.file("stats.db"));
  EXPECT_EQ(db.query("SELECT pipeline, sink, error_class, failures, last_message "
                     "FROM ferry_failure_stats ORDER BY sink, error_class"),
            (Rows{{"test-pipeline", "db", "invalid_data", "3", "too long"},
                  {"test-pipeline", "db", "retry", "1", "timeout"},
                  {"test-pipeline", "lake", "retry", "2", "503"}}));
  EXPECT_EQ(db.query("SELECT pipeline, failures FROM ferry_failure_totals"),
            (Rows{{"test-pipeline", "6"}}));
  EXPECT_NE(db.scalar("SELECT last_failure_at_ms FROM ferry_failure_totals"), "0");
}

// As for audit-sql: failure counts are never retried by the host, so a
// table they cannot go into must stop the run at open, not lose them.
TEST_F(FailureStatsTest, ATableOfAnotherShapeIsRefusedAtOpen) {
  {
    Db db(dir.file("stats.db"));
    db.exec("CREATE TABLE ferry_failure_totals (pipeline TEXT, failures INTEGER, last_failure_at_ms INTEGER)");
  }
  BacklogHookHandle hook(plugin, params(dir, R"({"path":"stats.db"})"));
  EXPECT_EQ(hook.open_status(), FERRY_ERROR_CONFIG);
}

TEST_F(FailureStatsTest, UnavailableDriverIsAConfigError) {
  BacklogHookHandle hook(plugin, params(dir, R"({"path":"stats.db","driver":"oracle"})"));
  EXPECT_EQ(hook.open_status(), FERRY_ERROR_CONFIG);
  EXPECT_NE(hook.host().last_error().find("driver 'oracle' is not available in this build"),
            std::string::npos)
      << hook.host().last_error();
}

// ---------------------------------------------------------------------------
// audit-sql and failure-stats on PostgreSQL: the same facts as on SQLite.

// One throwaway server for all PostgreSQL hook tests; each test uses its own
// table prefix.
class PgHookTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pg_ = new ferry::test::PgServer(); }
  static void TearDownTestSuite() {
    delete pg_;
    pg_ = nullptr;
  }

  static ferry::test::PgServer& pg() { return *pg_; }

  static std::string config(const std::string& prefix, const std::string& extra = "") {
    return R"({"driver":"postgres","dsn":")" + pg().dsn() + R"(","table_prefix":")" + prefix +
           "\"" + (extra.empty() ? "" : "," + extra) + "}";
  }

  // psql -At output as rows of '|'-separated fields.
  static Rows query(const std::string& sql) {
    Rows rows;
    std::istringstream in(pg().psql(sql));
    for (std::string line; std::getline(in, line);) {
      std::vector<std::string> row;
      size_t start = 0;
      for (size_t bar = line.find('|'); bar != std::string::npos; bar = line.find('|', start)) {
        row.push_back(line.substr(start, bar - start));
        start = bar + 1;
      }
      row.push_back(line.substr(start));
      rows.push_back(row);
    }
    return rows;
  }

  // Makes `role` log in over TCP with a password (scram), other roles as before.
  static void require_password(const std::string& role, const std::string& password) {
    pg().psql("CREATE ROLE " + role + " LOGIN SUPERUSER PASSWORD '" + password + "'");
    const std::string hba = pg().socket_dir() + "/data/pg_hba.conf";
    std::stringstream old;
    old << std::ifstream(hba).rdbuf();
    std::ofstream(hba, std::ios::trunc)
        << "host all " << role << " 127.0.0.1/32 scram-sha-256\n" << old.str();
    pg().psql("SELECT pg_reload_conf()");
  }

  static ferry::test::PgServer* pg_;
  Plugin audit{plugin_path("audit-sql")};
  Plugin stats{plugin_path("failure-stats")};
  TempDir dir;
};

ferry::test::PgServer* PgHookTest::pg_ = nullptr;

TEST_F(PgHookTest, AuditBatchGranularityMatchesCommitsAndIgnoresRedelivery) {
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

  EXPECT_EQ(query("SELECT pipeline, run_id, sink, partition, convert_from(position, 'UTF8'), "
                  "coalesce(record_key, 'NULL'), coalesce(record_position::text, 'NULL'), "
                  "records FROM b_audit ORDER BY id"),
            (Rows{{"test-pipeline", "run-1", "db", "p0", "off:3", "NULL", "NULL", "3"},
                  {"test-pipeline", "run-1", "db", "p0", "off:5", "NULL", "NULL", "2"},
                  {"test-pipeline", "run-2", "lake", "p0", "off:3", "NULL", "NULL", "3"}}));
  EXPECT_EQ(query("SELECT pipeline, records, batches, last_commit_at_ms > 0 "
                  "FROM b_pipeline_stats"),
            (Rows{{"test-pipeline", "8", "3", "t"}}));
}

TEST_F(PgHookTest, AuditRecordGranularityMatchesCommitsAndIgnoresRedelivery) {
  CheckpointHookHandle hook(audit, params(dir, config("r_", R"("granularity":"record")")));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
  // Cut differently the second time: 2 and 3 are old, 4 and 5 new.
  ASSERT_EQ(hook.on_commit(batch_of(2, 4), "db"), FERRY_OK) << hook.host().last_error();

  EXPECT_EQ(query("SELECT sink, partition, convert_from(position, 'UTF8'), record_key, "
                  "convert_from(record_position, 'UTF8'), records FROM r_audit ORDER BY id"),
            (Rows{{"db", "p0", "off:3", "k1", "off:1", "1"},
                  {"db", "p0", "off:3", "k2", "off:2", "1"},
                  {"db", "p0", "off:3", "k3", "off:3", "1"},
                  {"db", "p0", "off:5", "k4", "off:4", "1"},
                  {"db", "p0", "off:5", "k5", "off:5", "1"}}));
  EXPECT_EQ(query("SELECT records, batches FROM r_pipeline_stats"), (Rows{{"5", "2"}}));
}

TEST_F(PgHookTest, AuditAnswersRetryWhileTheServerIsDownAndRecovers) {
  CheckpointHookHandle hook(audit, params(dir, config("down_")));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
  pg().stop_immediate();
  EXPECT_EQ(hook.on_commit(batch_of(4, 2), "db"), FERRY_RETRY);
  EXPECT_EQ(hook.on_commit(batch_of(4, 2), "db"), FERRY_RETRY);
  pg().start();
  ASSERT_EQ(hook.on_commit(batch_of(4, 2), "db"), FERRY_OK) << hook.host().last_error();
  EXPECT_EQ(query("SELECT records, batches FROM down_pipeline_stats"), (Rows{{"5", "2"}}));
}

TEST_F(PgHookTest, AuditWaitsForLockedTablesThenAnswersRetry) {
  CheckpointHookHandle hook(audit, params(dir, config("lock_", R"("busy_timeout_ms":100)")));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  // Another session holds a lock on the stats table until the test ends it
  // (pg_terminate_backend): the lock lasts as long as the test needs, however
  // slow the machine.
  ferry::test::Process holder(
      {std::string(ferry::test::PgServer::kBin) + "/psql", "-X", "-q", "-h", "127.0.0.1", "-p",
       std::to_string(pg().port()), "-U", "postgres", "-d", "postgres", "-c",
       "BEGIN; LOCK TABLE lock_pipeline_stats IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(3600); "
       "COMMIT;"},
      std::vector<std::string>{}, dir.file("holder.out"), dir.file("holder.err"));
  const std::string held_lock =
      "FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
      "WHERE c.relname = 'lock_pipeline_stats' AND l.mode = 'AccessExclusiveLock' AND l.granted";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool holding = false;
  while (!(holding = query("SELECT count(*) " + held_lock) == Rows{{"1"}}) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(holding) << ferry::test::slurp(dir.file("holder.err"));
  EXPECT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_RETRY);
  EXPECT_NE(hook.host().last_error().find("lock"), std::string::npos) << hook.host().last_error();
  query("SELECT pg_terminate_backend(l.pid) " + held_lock);
  holder.wait();
  EXPECT_EQ(query("SELECT count(*) FROM lock_audit"), (Rows{{"0"}}));
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();
  EXPECT_EQ(query("SELECT records, batches FROM lock_pipeline_stats"), (Rows{{"3", "1"}}));
}

TEST_F(PgHookTest, FailureStatsCountsFailedRowsPerSinkAndClass) {
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
            (Rows{{"test-pipeline", "6", "t"}}));
}

// Once the tables exist, a hook needs only to read and write rows: a role
// that may not create (nor owns the tables) opens and records, since
// nothing is created again (CREATE INDEX IF NOT EXISTS alone would need
// ownership).
TEST_F(PgHookTest, ARoleThatMayOnlyWriteRowsUsesTablesThatExist) {
  {
    CheckpointHookHandle a(audit, params(dir, config("shared_")));
    ASSERT_EQ(a.open_status(), FERRY_OK) << a.host().last_error();
    BacklogHookHandle f(stats, params(dir, config("shared_")));
    ASSERT_EQ(f.open_status(), FERRY_OK) << f.host().last_error();
  }
  pg().psql("CREATE ROLE writer LOGIN; REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
            "GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO writer;"
            "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO writer;");
  std::string dsn = pg().dsn();
  dsn.replace(dsn.find("user=postgres"), std::string("user=postgres").size(), "user=writer");
  const std::string cfg = R"({"driver":"postgres","dsn":")" + dsn + R"(","table_prefix":"shared_"})";
  CheckpointHookHandle a(audit, params(dir, cfg));
  ASSERT_EQ(a.open_status(), FERRY_OK) << a.host().last_error();
  ASSERT_EQ(a.on_commit(batch_of(1, 2), "db"), FERRY_OK) << a.host().last_error();
  BacklogHookHandle f(stats, params(dir, cfg));
  ASSERT_EQ(f.open_status(), FERRY_OK) << f.host().last_error();
  ASSERT_EQ(f.on_failure(batch_of(3, 1), "db", {}, FERRY_INVALID_DATA, "bad"), FERRY_OK) << f.host().last_error();
  EXPECT_EQ(query("SELECT records FROM shared_pipeline_stats"), (Rows{{"2"}}));
  EXPECT_EQ(query("SELECT failures FROM shared_failure_totals"), (Rows{{"1"}}));
  // Without the tables, the same role is refused as a matter of privileges.
  CheckpointHookHandle none(audit, params(dir, R"({"driver":"postgres","dsn":")" + dsn +
                                                   R"(","table_prefix":"absent_"})"));
  EXPECT_EQ(none.open_status(), FERRY_ERROR_AUTH) << none.host().last_error();
}

// A table of the same name with other columns is refused when the hook
// opens (failure counts are never retried: at the first event they would
// be lost).
TEST_F(PgHookTest, ATableOfAnotherShapeIsRefusedAtOpen) {
  pg().psql("CREATE TABLE oddf_failure_totals (pipeline TEXT PRIMARY KEY)");
  BacklogHookHandle f(stats, params(dir, config("oddf_")));
  EXPECT_EQ(f.open_status(), FERRY_ERROR_CONFIG) << f.host().last_error();
  EXPECT_NE(f.host().last_error().find("failures"), std::string::npos) << f.host().last_error();
}

TEST_F(PgHookTest, WrongPasswordIsAnErrorThatNeverShowsThePassword) {
  require_password("ferry_hook", "Right-Secret-4711");
  const std::string wrong = "Wrong-Secret-0815";
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(pg().port()) +
                               " user=ferry_hook dbname=postgres password=" + wrong;
  const std::string uri = "postgresql://ferry_hook:" + wrong + "@127.0.0.1:" +
                          std::to_string(pg().port()) + "/postgres";
  for (const std::string& dsn : {conninfo, uri}) {
    const std::string cfg = R"({"driver":"postgres","dsn":")" + dsn + "\"}";
    CheckpointHookHandle a(audit, params(dir, cfg));
    EXPECT_EQ(a.open_status(), FERRY_ERROR_AUTH) << a.host().last_error();
    EXPECT_NE(a.host().last_error().find("password authentication failed"), std::string::npos)
        << a.host().last_error();
    EXPECT_EQ(a.host().last_error().find(wrong), std::string::npos) << a.host().last_error();
    BacklogHookHandle f(stats, params(dir, cfg));
    EXPECT_EQ(f.open_status(), FERRY_ERROR_AUTH) << f.host().last_error();
    EXPECT_EQ(f.host().last_error().find(wrong), std::string::npos) << f.host().last_error();
  }
  // The right password works.
  const std::string ok = R"({"driver":"postgres","dsn":"host=127.0.0.1 port=)" +
                         std::to_string(pg().port()) +
                         R"( user=ferry_hook dbname=postgres password=Right-Secret-4711","table_prefix":"pw_"})";
  CheckpointHookHandle a(audit, params(dir, ok));
  ASSERT_EQ(a.open_status(), FERRY_OK) << a.host().last_error();
  ASSERT_EQ(a.on_commit(batch_of(1, 1), "db"), FERRY_OK) << a.host().last_error();
}

TEST_F(PgHookTest, UnreachableServerIsRetryWithoutThePassword) {
  const ferry::test::RefusedPort refused;
  const std::string cfg = R"({"driver":"postgres","dsn":"host=127.0.0.1 port=)" +
                          std::to_string(refused.port()) +
                          R"( user=u dbname=d password=Hidden-Pass-99 connect_timeout=2"})";
  BacklogHookHandle f(stats, params(dir, cfg));
  EXPECT_EQ(f.open_status(), FERRY_RETRY) << f.host().last_error();
  EXPECT_EQ(f.host().last_error().find("Hidden-Pass-99"), std::string::npos)
      << f.host().last_error();
}

// ---------------------------------------------------------------------------
// webhook

boost::json::object parse_body(const WebhookReceiver::Request& r) {
  boost::json::value v = boost::json::parse(r.body);
  return v.as_object();
}

std::string str(const boost::json::value& v) { return std::string(v.as_string()); }

std::string config(const std::string& url, const std::string& extra = "") {
  return R"({"url":")" + url + "\"" + (extra.empty() ? "" : "," + extra) + "}";
}

class WebhookTest : public ::testing::Test {
 protected:
  Plugin plugin{plugin_path("webhook")};
  WebhookReceiver receiver;
  TempDir dir;
};

TEST_F(WebhookTest, ProvidesBothHookKindsWithASecretAuthHeader) {
  EXPECT_STREQ(plugin.descriptor().name, "webhook");
  ASSERT_NE(plugin.api().checkpoint_hook, nullptr);
  ASSERT_NE(plugin.api().backlog_hook, nullptr);
  const FerryKindSpec* spec = plugin.kind(FERRY_KIND_CHECKPOINT_HOOK);
  ASSERT_NE(spec, nullptr);
  bool auth_is_secret = false;
  for (size_t i = 0; i < spec->n_options; ++i)
    if (std::string(spec->options[i].name) == "auth_header")
      auth_is_secret = (spec->options[i].flags & FERRY_OPTION_SECRET) != 0;
  EXPECT_TRUE(auth_is_secret);
}

TEST_F(WebhookTest, CommitPostsAJsonSummary) {
  CheckpointHookHandle hook(
      plugin, params(dir, config(receiver.url(), R"("auth_header":"Bearer s3cret-token",)"
                                                 R"("headers":{"X-Team":"data"},)"
                                                 R"("include_records":2)")));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_commit(batch_of(1, 3), "db"), FERRY_OK) << hook.host().last_error();

  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hook");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("authorization"), "Bearer s3cret-token");
  EXPECT_EQ(r.header("x-team"), "data");
  const boost::json::object body = parse_body(r);
  EXPECT_EQ(str(body.at("event")), "commit");
  EXPECT_EQ(str(body.at("pipeline")), "test-pipeline");
  EXPECT_EQ(str(body.at("run_id")), "run-1");
  EXPECT_EQ(str(body.at("sink")), "db");
  EXPECT_EQ(str(body.at("partition")), "p0");
  EXPECT_EQ(str(body.at("position")), "off:3");
  EXPECT_EQ(body.at("records").to_number<int64_t>(), 3);
  EXPECT_EQ(boost::json::serialize(body.at("keys")), R"(["k1","k2"])");
}

TEST_F(WebhookTest, FailurePostsAJsonSummary) {
  BacklogHookHandle hook(plugin, params(dir, config(receiver.url(), R"("include_records":2)")));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  ASSERT_EQ(hook.on_failure(batch_of(7, 3), "db",
                            {{FERRY_INVALID_DATA, "bad date"}, {FERRY_INVALID_DATA, ""}},
                            FERRY_INVALID_DATA, "rejected by sink", 3),
            FERRY_OK)
      << hook.host().last_error();

  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  const boost::json::object body = parse_body(requests[0]);
  EXPECT_EQ(str(body.at("event")), "failure");
  EXPECT_EQ(str(body.at("pipeline")), "test-pipeline");
  EXPECT_EQ(str(body.at("run_id")), "run-1");
  EXPECT_EQ(str(body.at("sink")), "db");
  EXPECT_EQ(str(body.at("partition")), "p0");
  EXPECT_EQ(str(body.at("error_class")), "invalid_data");
  EXPECT_EQ(str(body.at("message")), "rejected by sink");
  EXPECT_EQ(body.at("attempts").to_number<int64_t>(), 3);
  EXPECT_EQ(body.at("failed_records").to_number<int64_t>(), 3);
  EXPECT_EQ(boost::json::serialize(body.at("records")),
            R"([{"key":"k7","position":"off:7","message":"bad date"},)"
            R"({"key":"k8","position":"off:8","message":"rejected by sink"}])");
}

TEST_F(WebhookTest, BinaryPositionsAreSentAsBase64) {
  CheckpointHookHandle hook(plugin, params(dir, config(receiver.url())));
  OwnedBatch batch = batch_of(1, 1);
  const std::string lsn("\x00\xff\x10", 3);
  ASSERT_EQ(hook.on_commit(batch, "db", lsn), FERRY_OK) << hook.host().last_error();
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(boost::json::serialize(parse_body(requests[0]).at("position")),
            R"({"base64":"AP8Q"})");
}

TEST_F(WebhookTest, ServerErrorWithFailOnErrorAnswersRetry) {
  receiver.respond_with(500, "database down");
  CheckpointHookHandle hook(
      plugin, params(dir, config(receiver.url(), R"("fail_on_error":true,"retries":1)")));
  EXPECT_EQ(hook.on_commit(batch_of(1, 1), "db"), FERRY_RETRY);
  const std::string error = hook.host().last_error();
  EXPECT_NE(error.find("HTTP 500"), std::string::npos) << error;
  EXPECT_NE(error.find("database down"), std::string::npos) << error;
  EXPECT_NE(error.find("2 attempts"), std::string::npos) << error;
  EXPECT_EQ(receiver.requests().size(), 2u);
}

TEST_F(WebhookTest, ServerErrorWithoutFailOnErrorWarnsAndContinues) {
  receiver.respond_with(503);
  BacklogHookHandle hook(plugin, params(dir, config(receiver.url(), R"("retries":0)")));
  EXPECT_EQ(hook.on_failure(batch_of(1, 1), "db", {}), FERRY_OK);
  ASSERT_EQ(hook.host().logs.size(), 1u);
  EXPECT_EQ(hook.host().logs[0].level, FERRY_LOG_WARN);
  EXPECT_NE(hook.host().logs[0].message.find("HTTP 503"), std::string::npos);
  EXPECT_EQ(hook.host().counter("webhook_failures"), 1);
}

TEST_F(WebhookTest, ClientErrorsAreNotRetried) {
  receiver.respond_with(404);
  CheckpointHookHandle hook(
      plugin, params(dir, config(receiver.url(), R"("fail_on_error":true,"retries":3)")));
  EXPECT_EQ(hook.on_commit(batch_of(1, 1), "db"), FERRY_ERROR_CONFIG);
  EXPECT_NE(hook.host().last_error().find("HTTP 404"), std::string::npos);
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST_F(WebhookTest, ClosedPortFailsQuicklyWithAClearError) {
  const ferry::test::RefusedPort refused;
  const std::string url = "http://127.0.0.1:" + std::to_string(refused.port()) + "/hook";
  CheckpointHookHandle hook(
      plugin, params(dir, config(url, R"("fail_on_error":true,"timeout_ms":20000,"retries":1)")));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(hook.on_commit(batch_of(1, 1), "db"), FERRY_RETRY);
  // Refused at once, not timed out: waiting for the timeouts would take
  // 40 s; a busy machine stays far below 10 s.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  const std::string error = hook.host().last_error();
  EXPECT_NE(error.find("http://127.0.0.1:"), std::string::npos) << error;
  EXPECT_NE(error.find("onnect"), std::string::npos) << error;  // "Failed to connect", "refused"
}

TEST_F(WebhookTest, SlowReceiverHitsTheTimeout) {
  // The receiver would answer after 10 minutes (or when it shuts down): only
  // the client's 300 ms timeout can end the call within the bound below.
  receiver.delay_responses(std::chrono::minutes(10));
  CheckpointHookHandle hook(
      plugin, params(dir, config(receiver.url(),
                                 R"("fail_on_error":true,"timeout_ms":300,"retries":0)")));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(hook.on_commit(batch_of(1, 1), "db"), FERRY_RETRY);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_NE(hook.host().last_error().find("timed out"), std::string::npos)
      << hook.host().last_error();
}

// The server's answer is quoted only in part; a secret it echoes across
// the cut must not survive in halves.
TEST_F(WebhookTest, ASecretCutInHalfByTheQuoteLimitIsStillRedacted) {
  receiver.respond_with(400, std::string(200, '.'));
  receiver.echo_authorization(true);
  std::string token;
  for (int i = 0; i < 130; ++i) token += static_cast<char>('a' + i % 26);
  CheckpointHookHandle hook(
      plugin, params(dir, config(receiver.url(), R"("auth_header":"Bearer )" + token +
                                                     R"(","retries":0,"fail_on_error":true)")));
  ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
  EXPECT_EQ(hook.on_commit(batch_of(1, 1), "db"), FERRY_ERROR_CONFIG);
  const std::string text = hook.host().last_error();
  EXPECT_NE(text.find("HTTP 400"), std::string::npos) << text;
  for (size_t at = 0; at + 12 <= token.size(); ++at)
    ASSERT_EQ(text.find(token.substr(at, 12)), std::string::npos) << "part of the token leaked: " << text;
}

TEST_F(WebhookTest, SecretsNeverAppearInMessages) {
  receiver.respond_with(401, "who are you?");
  receiver.echo_authorization(true);
  const std::string url = "http://alice:hunter2pw@127.0.0.1:" +
                          std::to_string(receiver.port()) + "/services/T000/B000/XXXXsecret";
  const std::string extra =
      R"("auth_header":"Bearer s3cret-token","headers":{"X-Api-Key":"key-123456"},"retries":0)";
  for (bool fail_on_error : {true, false}) {
    CheckpointHookHandle hook(
        plugin, params(dir, config(url, extra + ",\"fail_on_error\":" +
                                            (fail_on_error ? "true" : "false"))));
    ASSERT_EQ(hook.open_status(), FERRY_OK) << hook.host().last_error();
    const FerryStatus st = hook.on_commit(batch_of(1, 1), "db");
    std::string text;
    for (const auto& e : hook.host().errors) text += e + "\n";
    for (const auto& l : hook.host().logs) text += l.message + "\n";
    EXPECT_EQ(st, fail_on_error ? FERRY_ERROR_AUTH : FERRY_OK);
    EXPECT_NE(text.find("HTTP 401"), std::string::npos) << text;
    EXPECT_NE(text.find("who are you?"), std::string::npos) << text;
    for (const char* secret : {"s3cret-token", "hunter2pw", "alice", "key-123456", "XXXXsecret"})
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked in: " << text;
  }
  // The receiver did get the real header: redaction is only for messages.
  ASSERT_FALSE(receiver.requests().empty());
  EXPECT_EQ(receiver.requests()[0].header("authorization"), "Bearer s3cret-token");
}

TEST_F(WebhookTest, BadOptionsAreConfigErrorsThatQuoteNoSecret) {
  const std::string url = receiver.url();
  for (const std::string& cfg :
       {std::string(R"({"timeout_ms":100})"), config("ftp://127.0.0.1/x"),
        config(url, R"("headers":{"Authorization":"Basic c2VjcmV0dmFsdWU="})"),
        config(url, R"("headers":{"X-Key":"secretvalue\r\nX-Evil: 1"})"),
        config(url, R"("headers":{"Bad Name":"secretvalue"})"),
        config(url, R"("include_records":-1)"), config(url, R"("retries":"2")")}) {
    CheckpointHookHandle hook(plugin, params(dir, cfg));
    EXPECT_EQ(hook.open_status(), FERRY_ERROR_CONFIG) << cfg;
    EXPECT_NE(hook.host().last_error().find("webhook: "), std::string::npos) << cfg;
    EXPECT_EQ(hook.host().last_error().find("secretvalue"), std::string::npos)
        << hook.host().last_error();
  }
}

}  // namespace
