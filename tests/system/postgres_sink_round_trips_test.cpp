// The postgres sink holds the statements whose answers nothing waits for
// (BEGIN, SAVEPOINT, the table lock, RELEASE, the checkpoint lock) and sends
// them with the next statement that has an answer, and keeps its per-batch
// statements prepared. These tests, through the sink's C ABI against a real
// PostgreSQL, check what that must not change: a held statement that fails
// is named as itself, leaves the connection usable and nothing half done;
// a new connection prepares its statements anew.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <memory>
#include <string>
#include <vector>

#include "support/id_value_rows.h"
#include "support/plugin_harness.h"
#include "support/servers.h"

namespace {

using ferry::test::Column;
using ferry::test::make_batch;
using ferry::test::Row;
using ferry::test::Value;

const std::vector<Column>& columns() { return ferry::test::id_value_columns(); }
std::vector<Row> rows(int64_t from, int64_t to) { return ferry::test::id_value_rows(from, to); }

class PostgresSinkRoundTrips : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<ferry::test::PgServer>(); }
  static void TearDownTestSuite() { server_.reset(); }
  static ferry::test::PgServer& pg() { return *server_; }

  // A database of its own with table t, and the sink open on it; `dsn_extra`
  // is added to the DSN.
  void open(const std::string& db, const std::string& dsn_extra = "") {
    db_ = db;
    pg().psql("CREATE DATABASE " + db);
    pg().psql("CREATE TABLE t (id bigint PRIMARY KEY, v text)", db);
    plugin_ = std::make_unique<ferry::test::Plugin>(ferry::test::plugin_path("postgres"));
    ferry::test::OpenParams params;
    params.config_json = R"({"dsn": ")" + pg().dsn(db) + dsn_extra + R"(", "table": "t"})";
    sink_ = std::make_unique<ferry::test::SinkHandle>(*plugin_, params);
    ASSERT_EQ(sink_->open_status(), FERRY_OK) << sink_->host().last_error();
  }
  std::string error() { return sink_->host().last_error(); }
  int64_t count() { return std::stoll(pg().psql("SELECT count(*) FROM t", db_)); }
  int64_t distinct_ids() { return std::stoll(pg().psql("SELECT count(DISTINCT id) FROM t", db_)); }

  static std::unique_ptr<ferry::test::PgServer> server_;
  std::string db_;
  std::unique_ptr<ferry::test::Plugin> plugin_;
  std::unique_ptr<ferry::test::SinkHandle> sink_;
};
std::unique_ptr<ferry::test::PgServer> PostgresSinkRoundTrips::server_;

// The table lock goes out with the column-type read that follows it. When
// it cannot be had, the error names the lock, not the read; the batch
// written again once the lock is free lands once.
TEST_F(PostgresSinkRoundTrips, AHeldTableLockThatFailsIsNamedAndTheBatchLandsOnceWrittenAgain) {
  ASSERT_NO_FATAL_FAILURE(open("held_lock", " options='-c lock_timeout=200'"));
  ASSERT_EQ(sink_->write(make_batch(columns(), rows(1, 3))), FERRY_OK) << error();
  ASSERT_EQ(sink_->commit("p0", "3"), FERRY_OK) << error();

  {
    pqxx::connection other(pg().dsn(db_));
    pqxx::work holder(other);
    holder.exec("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
    EXPECT_EQ(sink_->write(make_batch(columns(), rows(4, 6))), FERRY_RETRY);
    EXPECT_NE(error().find("locking table \"t\""), std::string::npos) << error();
    EXPECT_NE(error().find("55P03"), std::string::npos) << error();
    sink_->abort();
  }  // the other session ends, and its lock with it

  ASSERT_EQ(sink_->write(make_batch(columns(), rows(4, 6))), FERRY_OK) << error();
  ASSERT_EQ(sink_->commit("p0", "6"), FERRY_OK) << error();
  EXPECT_EQ(count(), 6);
  EXPECT_EQ(distinct_ids(), 6);
  EXPECT_EQ(sink_->checkpoint("p0"), std::optional<std::string>("6"));
}

// A failure after rows of the same transaction were staged (the host
// bisecting a batch): the held SAVEPOINT of the failed call is what the
// rollback returns to, so the earlier rows stay and commit.
TEST_F(PostgresSinkRoundTrips, AFailedCallAfterStagedRowsUndoesOnlyItself) {
  ASSERT_NO_FATAL_FAILURE(open("held_savepoint"));
  pg().psql("ALTER TABLE t ADD CONSTRAINT no_fives CHECK (id <> 5)", db_);
  ASSERT_EQ(sink_->write(make_batch(columns(), rows(1, 3))), FERRY_OK) << error();
  EXPECT_EQ(sink_->write(make_batch(columns(), rows(4, 6))), FERRY_INVALID_DATA);
  EXPECT_NE(error().find("no_fives"), std::string::npos) << error();
  ASSERT_EQ(sink_->write(make_batch(columns(), rows(4, 4))), FERRY_OK) << error();
  ASSERT_EQ(sink_->write(make_batch(columns(), rows(6, 6))), FERRY_OK) << error();
  ASSERT_EQ(sink_->commit("p0", "6"), FERRY_OK) << error();
  EXPECT_EQ(pg().psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM t", db_), "1,2,3,4,6\n");
  EXPECT_EQ(sink_->checkpoint("p0"), std::optional<std::string>("6"));
}

// Prepared statements belong to a session: after the server ended the
// sink's session, the new connection prepares them again.
TEST_F(PostgresSinkRoundTrips, ANewConnectionPreparesItsStatementsAgain) {
  ASSERT_NO_FATAL_FAILURE(open("prepared_again"));
  for (int64_t last = 3; last <= 9; last += 3) {
    ASSERT_EQ(sink_->write(make_batch(columns(), rows(last - 2, last))), FERRY_OK) << error();
    ASSERT_EQ(sink_->commit("p0", std::to_string(last)), FERRY_OK) << error();
  }
  pg().psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db_ +
            "' AND pid <> pg_backend_pid()");
  // The first call finds the connection gone (RETRY, nothing staged); the
  // host writes the batch again, on a new connection.
  FerryStatus st = sink_->write(make_batch(columns(), rows(10, 12)));
  if (st != FERRY_OK) {
    EXPECT_EQ(st, FERRY_RETRY) << error();
    sink_->abort();
    st = sink_->write(make_batch(columns(), rows(10, 12)));
  }
  ASSERT_EQ(st, FERRY_OK) << error();
  ASSERT_EQ(sink_->commit("p0", "12"), FERRY_OK) << error();
  ASSERT_EQ(sink_->write(make_batch(columns(), rows(13, 15))), FERRY_OK) << error();
  ASSERT_EQ(sink_->commit("p0", "15"), FERRY_OK) << error();
  EXPECT_EQ(count(), 15);
  EXPECT_EQ(distinct_ids(), 15);
  EXPECT_EQ(sink_->checkpoint("p0"), std::optional<std::string>("15"));
}

}  // namespace
