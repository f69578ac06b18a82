// The transactional SQL sinks (postgres, mysql) through their C ABI, against
// real servers, with the connection cut at the moments where the sink cannot
// know what the server did: a COMMIT whose answer was lost, a COMMIT the
// server never saw, and rows staged by an earlier write lost with the
// connection. The calls follow what the host does (abort and write the batch
// again on a failed commit), and each test asserts the sink's promise: a
// batch lands exactly once, and a commit that answers OK holds every row
// the writes before it accepted.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "support/cutting_proxy.h"
#include "support/id_value_rows.h"
#include "support/plugin_harness.h"
#include "support/servers.h"

namespace {

using ferry::test::Column;
using ferry::test::CuttingProxy;
using ferry::test::make_batch;
using ferry::test::Row;
using ferry::test::Value;
using Cut = CuttingProxy::Cut;

constexpr const char* kPassword = "S3cret-pw";

const std::vector<Column>& columns() { return ferry::test::id_value_columns(); }
std::vector<Row> rows(int64_t from, int64_t to) { return ferry::test::id_value_rows(from, to); }

// One server and the SQL the tests need from it, so each test runs against
// PostgreSQL and MariaDB alike.
class SqlServer {
 public:
  virtual ~SqlServer() = default;
  virtual std::string plugin() const = 0;
  virtual int port() const = 0;
  // The sink's options for a table of database `db`, reached at `port`.
  virtual std::string sink_config(const std::string& db, int port) const = 0;
  virtual void create_database(const std::string& db) = 0;
  virtual int64_t count(const std::string& db) = 0;
  // Ends every session the sink holds, as a server restart or a network
  // failure would.
  virtual void drop_sink_sessions(const std::string& db) = 0;
  // The bytes of a COMMIT as the client library sends them.
  virtual std::string commit_request() const = 0;
  // Sessions waiting for a lock another session holds.
  virtual int64_t lock_waiters() = 0;
  // Renames a table of database `db`.
  virtual void rename_table(const std::string& db, const std::string& from, const std::string& to) = 0;
};

class Postgres final : public SqlServer {
 public:
  std::string plugin() const override { return "postgres"; }
  int port() const override { return server_.port(); }
  std::string sink_config(const std::string& db, int port) const override {
    return R"({"dsn": "host=127.0.0.1 port=)" + std::to_string(port) + " user=postgres sslmode=disable dbname=" +
           db + R"(", "table": "t", "key": ["id"]})";
  }
  void create_database(const std::string& db) override { server_.psql("CREATE DATABASE " + db); }
  int64_t count(const std::string& db) override {
    return std::stoll(server_.psql("SELECT count(*) FROM t", db));
  }
  void drop_sink_sessions(const std::string& db) override {
    server_.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db +
                 "' AND pid <> pg_backend_pid()");
  }
  // A simple-query message's text, with its terminating NUL.
  std::string commit_request() const override { return std::string("COMMIT\0", 7); }
  int64_t lock_waiters() override {
    return std::stoll(server_.psql("SELECT count(*) FROM pg_locks WHERE NOT granted"));
  }
  void rename_table(const std::string& db, const std::string& from, const std::string& to) override {
    server_.psql("ALTER TABLE " + from + " RENAME TO " + to, db);
  }

 private:
  ferry::test::PgServer server_;
};

class Maria final : public SqlServer {
 public:
  Maria() {
    server_.sql("CREATE USER 'ferry'@'127.0.0.1' IDENTIFIED BY '" + std::string(kPassword) +
                "'; GRANT ALL ON *.* TO 'ferry'@'127.0.0.1';");
  }
  std::string plugin() const override { return "mysql"; }
  int port() const override { return server_.port(); }
  std::string sink_config(const std::string& db, int port) const override {
    return R"({"host": "127.0.0.1", "port": )" + std::to_string(port) + R"(, "user": "ferry", "password": ")" +
           kPassword + R"(", "database": ")" + db + R"(", "table": "t", "key": ["id"]})";
  }
  void create_database(const std::string& db) override { server_.sql("CREATE DATABASE " + db); }
  int64_t count(const std::string& db) override { return std::stoll(server_.sql("SELECT count(*) FROM t", db)); }
  void drop_sink_sessions(const std::string&) override {
    const std::string ids =
        server_.sql("SELECT GROUP_CONCAT(id) FROM information_schema.processlist WHERE user = 'ferry'");
    std::string kills;
    size_t start = 0;
    while (start < ids.size()) {
      size_t end = ids.find_first_of(",\n", start);
      if (end == std::string::npos) end = ids.size();
      const std::string id = ids.substr(start, end - start);
      if (!id.empty() && id != "NULL") kills += "KILL " + id + ";";
      start = end + 1;
    }
    ASSERT_FALSE(kills.empty()) << "the sink holds no session to end";
    server_.sql(kills);
  }
  // A COM_QUERY packet's command byte and text.
  std::string commit_request() const override { return "\x03" "COMMIT"; }
  // InnoDB's own list, and the server's list of statements: under load a
  // locking read that waits has been seen missing from INNODB_TRX for its
  // whole wait, while it stays in PROCESSLIST, running and going nowhere.
  int64_t lock_waiters() override {
    return std::stoll(server_.sql(
        "SELECT (SELECT count(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT') + "
        "(SELECT count(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND "
        "INFO LIKE '%LOCK IN SHARE MODE' AND TIME_MS >= 200)"));
  }
  void rename_table(const std::string& db, const std::string& from, const std::string& to) override {
    server_.sql("RENAME TABLE " + from + " TO " + to, db);
  }

 private:
  ferry::test::MariaServer server_;
};

class SqlSinkTransaction : public ::testing::TestWithParam<std::string> {
 protected:
  static void TearDownTestSuite() {
    pg_.reset();
    maria_.reset();
  }
  // Started when a test first needs it: ctest runs each test in a process
  // of its own.
  SqlServer& server() {
    if (GetParam() == "postgres") {
      if (!pg_) pg_ = std::make_unique<Postgres>();
      return *pg_;
    }
    if (!maria_) maria_ = std::make_unique<Maria>();
    return *maria_;
  }

  // A database of its own per test, and the sink open on it through a proxy.
  void open(const std::string& db) {
    db_ = db;
    server().create_database(db);
    proxy_ = std::make_unique<CuttingProxy>(server().port());
    plugin_ = std::make_unique<ferry::test::Plugin>(ferry::test::plugin_path(server().plugin()));
    ferry::test::OpenParams params;
    params.config_json = server().sink_config(db, proxy_->port());
    sink_ = std::make_unique<ferry::test::SinkHandle>(*plugin_, params);
    ASSERT_EQ(sink_->open_status(), FERRY_OK) << sink_->host().last_error();
  }
  std::string error() { return sink_->host().last_error(); }

  // What the host does with a batch: write it, commit it with its
  // checkpoint; when the commit fails, ask whether the sink holds the
  // checkpoint all the same, and if not abort and do both again.
  FerryStatus deliver(const std::vector<Row>& batch, const std::string& position) {
    FerryStatus st = FERRY_OK;
    for (int attempt = 0; attempt < 4; ++attempt) {
      st = sink_->write(make_batch(columns(), batch));
      if (st == FERRY_OK) st = sink_->commit("p0", position);
      if (st == FERRY_OK) return st;
      if (sink_->checkpoint("p0") == std::optional<std::string>(position)) {
        sink_->abort();
        return FERRY_OK;
      }
      sink_->abort();
    }
    return st;
  }

  static std::unique_ptr<SqlServer> pg_;
  static std::unique_ptr<SqlServer> maria_;
  std::string db_;
  std::unique_ptr<CuttingProxy> proxy_;
  std::unique_ptr<ferry::test::Plugin> plugin_;
  std::unique_ptr<ferry::test::SinkHandle> sink_;
};
std::unique_ptr<SqlServer> SqlSinkTransaction::pg_;
std::unique_ptr<SqlServer> SqlSinkTransaction::maria_;

// The server committed, the answer was lost: the batch the host writes
// again is the same batch, and must not land a second time.
TEST_P(SqlSinkTransaction, ACommitWhoseAnswerWasLostIsNotWrittenTwice) {
  ASSERT_NO_FATAL_FAILURE(open("lost_answer"));
  ASSERT_EQ(deliver(rows(1, 3), "3"), FERRY_OK) << error();
  ASSERT_EQ(sink_->write(make_batch(columns(), rows(4, 6))), FERRY_OK) << error();
  proxy_->cut_once(server().commit_request(), Cut::kAfterReply);
  EXPECT_NE(sink_->commit("p0", "6"), FERRY_OK) << "the sink cannot know the commit landed";
  ASSERT_TRUE(proxy_->fired());
  EXPECT_EQ(server().count(db_), 6) << "the server did commit";
  sink_->abort();

  ASSERT_EQ(deliver(rows(4, 6), "6"), FERRY_OK) << error();
  EXPECT_EQ(server().count(db_), 6);
  EXPECT_EQ(sink_->checkpoint("p0"), std::optional<std::string>("6"));
  // And the batch after it is written as usual.
  ASSERT_EQ(deliver(rows(7, 8), "8"), FERRY_OK) << error();
  EXPECT_EQ(server().count(db_), 8);
}

// The client lost the connection while its COMMIT was still on the way to
// the server: asked whether the batch landed, the sink must wait for that
// transaction to end rather than read the checkpoint it is replacing.
TEST_P(SqlSinkTransaction, ACommitStillOnItsWayIsWaitedForNotGuessed) {
  ASSERT_NO_FATAL_FAILURE(open("in_flight"));
  for (const std::string& position : {std::string("3"), std::string("6")}) {
    const int64_t last = std::stoll(position);
    ASSERT_EQ(sink_->write(make_batch(columns(), rows(last - 2, last))), FERRY_OK) << error();
    proxy_->cut_once(server().commit_request(), Cut::kHoldRequest);
    EXPECT_NE(sink_->commit("p0", position), FERRY_OK);
    ASSERT_TRUE(proxy_->fired());

    auto asked = std::async(std::launch::async, [&] { return sink_->checkpoint("p0"); });
    // Until the sink's question waits on the open transaction, or answers
    // without waiting (the failure this test is for).
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (asked.wait_for(std::chrono::milliseconds(5)) != std::future_status::ready &&
           server().lock_waiters() == 0 && std::chrono::steady_clock::now() < give_up) {
    }
    proxy_->release();
    EXPECT_EQ(asked.get(), std::optional<std::string>(position))
        << "the answer must be the commit's outcome (first commit of the partition: " << (last == 3) << ")";
    sink_->abort();
    EXPECT_EQ(server().count(db_), last);
  }
}

// The COMMIT never reached the server: the batch written again must land.
TEST_P(SqlSinkTransaction, ACommitTheServerNeverSawIsWrittenAgain) {
  ASSERT_NO_FATAL_FAILURE(open("unsent_commit"));
  ASSERT_EQ(deliver(rows(1, 3), "3"), FERRY_OK) << error();
  ASSERT_EQ(sink_->write(make_batch(columns(), rows(4, 6))), FERRY_OK) << error();
  proxy_->cut_once(server().commit_request(), Cut::kBeforeRequest);
  EXPECT_NE(sink_->commit("p0", "6"), FERRY_OK);
  ASSERT_TRUE(proxy_->fired());
  sink_->abort();

  ASSERT_EQ(deliver(rows(4, 6), "6"), FERRY_OK) << error();
  EXPECT_EQ(server().count(db_), 6);
  EXPECT_EQ(sink_->checkpoint("p0"), std::optional<std::string>("6"));
}

// A batch in two write() calls (as when the host splits a batch to find a
// bad record); the connection dies between them, taking the first call's
// rows. Whatever the sink answers, a commit that succeeds must hold both.
TEST_P(SqlSinkTransaction, RowsLostWithTheConnectionBetweenWritesAreNeverCommittedAsWritten) {
  ASSERT_NO_FATAL_FAILURE(open("lost_between"));
  ASSERT_EQ(sink_->write(make_batch(columns(), rows(1, 2))), FERRY_OK) << error();
  ASSERT_NO_FATAL_FAILURE(server().drop_sink_sessions(db_));

  FerryStatus st = sink_->write(make_batch(columns(), rows(3, 4)));
  // A write that answers RETRY is written again by the host, alone.
  for (int attempt = 0; st == FERRY_RETRY && attempt < 3; ++attempt)
    st = sink_->write(make_batch(columns(), rows(3, 4)));
  if (st == FERRY_OK) st = sink_->commit("p0", "4");
  if (st == FERRY_OK) {
    EXPECT_EQ(server().count(db_), 4) << "the commit answered OK without the first call's rows";
    return;
  }
  EXPECT_EQ(sink_->checkpoint("p0"), std::nullopt) << "nothing may have committed: " << error();
  sink_->abort();
  ASSERT_EQ(deliver(rows(1, 4), "4"), FERRY_OK) << error();
  EXPECT_EQ(server().count(db_), 4);
}

// checkpoint() asked while rows are staged reads in their transaction. A
// read that fails must not take the staged rows with it unnoticed: on
// PostgreSQL a failed statement aborts the transaction, and its COMMIT
// then answers with a rollback.
TEST_P(SqlSinkTransaction, AFailedCheckpointReadNeverLetsStagedRowsGoUnnoticed) {
  ASSERT_NO_FATAL_FAILURE(open("failed_read"));
  ASSERT_EQ(deliver(rows(1, 3), "3"), FERRY_OK) << error();
  ASSERT_EQ(sink_->write(make_batch(columns(), rows(4, 6))), FERRY_OK) << error();
  server().rename_table(db_, "ferry_checkpoints", "cp_elsewhere");
  EXPECT_THROW(sink_->checkpoint("p0"), std::exception);
  server().rename_table(db_, "cp_elsewhere", "ferry_checkpoints");
  const FerryStatus st = sink_->commit_without_checkpoint();
  if (st == FERRY_OK) {
    EXPECT_EQ(server().count(db_), 6) << "the commit answered OK without the staged rows";
    return;
  }
  EXPECT_EQ(server().count(db_), 3) << error();
  sink_->abort();
  ASSERT_EQ(deliver(rows(4, 6), "6"), FERRY_OK) << error();
  EXPECT_EQ(server().count(db_), 6);
}

INSTANTIATE_TEST_SUITE_P(Sinks, SqlSinkTransaction, ::testing::Values("postgres", "mysql"),
                         [](const auto& info) { return info.param; });

}  // namespace
