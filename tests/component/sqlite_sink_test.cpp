// The SQLite sink through its C ABI: tables, modes, types, the transaction
// and checkpoint contract, and error classification.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "support/plugin_harness.h"

namespace {

using ferry::test::Column;
using ferry::test::make_batch;
using ferry::test::OpenParams;
using ferry::test::Plugin;
using ferry::test::Row;
using ferry::test::SinkHandle;
using ferry::test::TempDir;
using ferry::test::Value;

// Reads the database the way a person would, on its own connection.
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
  std::vector<std::vector<std::string>> query(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    std::vector<std::vector<std::string>> rows;
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
    auto rows = query(sql);
    return rows.empty() || rows[0].empty() ? "<none>" : rows[0][0];
  }
  bool has_table(const std::string& name) {
    return scalar("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='" + name +
                  "'") == "1";
  }

 private:
  sqlite3* db_ = nullptr;
};

using Rows = std::vector<std::vector<std::string>>;

const std::vector<Column> kOrderColumns = {
    {"id", FERRY_TYPE_INT64}, {"name", FERRY_TYPE_STRING}, {"amount", FERRY_TYPE_DOUBLE}};

Row order(int64_t id, std::string name, double amount, FerryOp op = FERRY_OP_INSERT) {
  Row r;
  r.values = {Value::int64(id), Value::string(std::move(name)), Value::real(amount)};
  r.key = std::to_string(id);
  r.position = std::to_string(id);
  r.op = op;
  return r;
}

Row delete_of(int64_t id) {
  Row r;
  r.values = {Value::int64(id)};
  r.key = std::to_string(id);
  r.op = FERRY_OP_DELETE;
  return r;
}

class SqliteSinkTest : public ::testing::Test {
 protected:
  void SetUp() override { plugin_ = std::make_unique<Plugin>(ferry::test::plugin_path("sqlite")); }

  std::unique_ptr<SinkHandle> open(const std::string& config) {
    OpenParams params;
    params.config_json = config;
    params.base_dir = dir_.path();
    return std::make_unique<SinkHandle>(*plugin_, params);
  }
  std::unique_ptr<SinkHandle> open_ok(const std::string& config) {
    auto sink = open(config);
    EXPECT_EQ(sink->open_status(), FERRY_OK) << sink->host().last_error();
    return sink;
  }
  std::string db_path() const { return dir_.file("out.db"); }

  // Declared first: destroyed last, after every handle into the library.
  std::unique_ptr<Plugin> plugin_;
  TempDir dir_;
  const std::string append_ = R"({"path":"out.db","table":"orders"})";
  const std::string upsert_ = R"({"path":"out.db","table":"orders","mode":"upsert","key":["id"]})";
};

TEST_F(SqliteSinkTest, DescriptorIsATransactionalSink) {
  EXPECT_STREQ(plugin_->descriptor().name, "sqlite");
  const FerryKindSpec* kind = plugin_->kind(FERRY_KIND_SINK);
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(kind->capabilities & FERRY_CAP_TRANSACTIONAL, FERRY_CAP_TRANSACTIONAL);
  EXPECT_EQ(plugin_->api().source, nullptr);
}

TEST_F(SqliteSinkTest, CreatesTableFromFirstBatchAndAppends) {
  auto sink = open_ok(append_);
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1.5), order(2, "b", 2.5)})),
            FERRY_OK);
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(3, "c", 3.5)})), FERRY_OK);
  ASSERT_EQ(sink->commit("p0", "3"), FERRY_OK) << sink->host().last_error();

  Db db(db_path());
  EXPECT_EQ(db.query("SELECT id, name, amount FROM orders ORDER BY id"),
            (Rows{{"1", "a", "1.5"}, {"2", "b", "2.5"}, {"3", "c", "3.5"}}));
  EXPECT_EQ(db.query("SELECT name, type, pk FROM pragma_table_info('orders')"),
            (Rows{{"id", "INTEGER", "0"}, {"name", "TEXT", "0"}, {"amount", "REAL", "0"}}));
  EXPECT_EQ(db.scalar("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(sink->host().counter("sqlite_rows_committed"), 3);
}

TEST_F(SqliteSinkTest, NothingIsVisibleBeforeCommit) {
  auto sink = open_ok(append_);
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1)})), FERRY_OK);
  Db db(db_path());
  // The CREATE TABLE is part of the open transaction too.
  EXPECT_FALSE(db.has_table("orders"));
  ASSERT_EQ(sink->commit("p0", "1"), FERRY_OK);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM orders"), "1");
}

TEST_F(SqliteSinkTest, UpsertReplacesRowsWithTheSameKeyAndDeletesByIt) {
  auto sink = open_ok(upsert_);
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1), order(2, "b", 2)})), FERRY_OK);
  ASSERT_EQ(sink->commit("p0", "2"), FERRY_OK);
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a2", 10, FERRY_OP_UPDATE),
                                                   order(3, "c", 3), delete_of(2), delete_of(99)})),
            FERRY_OK)
      << sink->host().last_error();
  ASSERT_EQ(sink->commit("p0", "4"), FERRY_OK);

  Db db(db_path());
  EXPECT_EQ(db.query("SELECT id, name, amount FROM orders ORDER BY id"),
            (Rows{{"1", "a2", "10.0"}, {"3", "c", "3.0"}}));
  EXPECT_EQ(db.scalar("SELECT pk FROM pragma_table_info('orders') WHERE name = 'id'"), "1");
}

TEST_F(SqliteSinkTest, ReplayedBatchIsAbsorbedInUpsertMode) {
  auto sink = open_ok(upsert_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1), order(2, "b", 2)})),
              FERRY_OK);
    ASSERT_EQ(sink->commit("p0", "2"), FERRY_OK);
  }
  Db db(db_path());
  EXPECT_EQ(db.scalar("SELECT count(*) FROM orders"), "2");
}

TEST_F(SqliteSinkTest, DeleteRemovesByKeyColumns) {
  auto sink = open_ok(R"({"path":"out.db","table":"stock","mode":"upsert","key":["region","id"]})");
  const std::vector<Column> cols = {
      {"region", FERRY_TYPE_STRING}, {"id", FERRY_TYPE_INT64}, {"qty", FERRY_TYPE_INT64}};
  auto row = [](std::string region, int64_t id, int64_t qty, FerryOp op = FERRY_OP_INSERT) {
    Row r;
    r.values = {Value::string(std::move(region)), Value::int64(id), Value::int64(qty)};
    r.op = op;
    return r;
  };
  ASSERT_EQ(sink->write(make_batch(cols, {row("eu", 1, 5), row("us", 1, 6), row("eu", 2, 7)})),
            FERRY_OK);
  Row del = row("eu", 1, 0, FERRY_OP_DELETE);
  del.values[2] = Value::null();  // a delete carries only its key
  ASSERT_EQ(sink->write(make_batch(cols, {del})), FERRY_OK) << sink->host().last_error();
  ASSERT_EQ(sink->commit("p0", "x"), FERRY_OK);

  Db db(db_path());
  EXPECT_EQ(db.query("SELECT region, id, qty FROM stock ORDER BY region, id"),
            (Rows{{"eu", "2", "7"}, {"us", "1", "6"}}));
}

TEST_F(SqliteSinkTest, DeleteInAppendModeIsRejectedPerRow) {
  auto sink = open_ok(append_);
  std::vector<SinkHandle::Rejected> rejected;
  Row del = order(2, "b", 2, FERRY_OP_DELETE);
  ASSERT_EQ(
      sink->write(make_batch(kOrderColumns, {order(1, "a", 1), del, order(3, "c", 3)}), &rejected),
      FERRY_OK);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].row, 1u);
  EXPECT_EQ(rejected[0].status, FERRY_INVALID_DATA);
  EXPECT_EQ(rejected[0].message, "delete not supported in append mode");
  ASSERT_EQ(sink->commit("p0", "3"), FERRY_OK);
  Db db(db_path());
  EXPECT_EQ(db.query("SELECT id FROM orders ORDER BY id"), (Rows{{"1"}, {"3"}}));
}

TEST_F(SqliteSinkTest, NullKeyInUpsertModeIsRejectedPerRow) {
  auto sink = open_ok(upsert_);
  Row bad = order(0, "nokey", 1);
  bad.values[0] = Value::null();
  std::vector<SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1), bad}), &rejected), FERRY_OK);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].row, 1u);
  EXPECT_EQ(rejected[0].message, "key column \"id\" is null");
  ASSERT_EQ(sink->commit("p0", "2"), FERRY_OK);
  Db db(db_path());
  EXPECT_EQ(db.scalar("SELECT count(*) FROM orders"), "1");
}

TEST_F(SqliteSinkTest, CheckpointCommitsWithTheDataAndIsReturned) {
  {
    auto sink = open_ok(append_);
    EXPECT_EQ(sink->checkpoint("p0"), std::nullopt);
    ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1)})), FERRY_OK);
    // Positions are opaque bytes: a NUL must survive.
    const std::string position("off\0set=1", 9);
    ASSERT_EQ(sink->commit("p0", position), FERRY_OK);
    EXPECT_EQ(sink->checkpoint("p0"), position);
    EXPECT_EQ(sink->checkpoint("p1"), std::nullopt);
  }
  // Durable: a new instance (a restart) finds it.
  auto again = open_ok(append_);
  EXPECT_EQ(again->checkpoint("p0"), std::string("off\0set=1", 9));

  Db db(db_path());
  EXPECT_EQ(
      db.query("SELECT pipeline, partition, run_id, updated_at_ms > 0 FROM ferry_checkpoints"),
      (Rows{{"test-pipeline", "p0", "run-1", "1"}}));
}

TEST_F(SqliteSinkTest, CheckpointWithoutRowsIsStillCommitted) {
  auto sink = open_ok(append_);
  ASSERT_EQ(sink->commit("p0", "7"), FERRY_OK) << sink->host().last_error();
  EXPECT_EQ(sink->checkpoint("p0"), "7");
  EXPECT_EQ(sink->commit_without_checkpoint(), FERRY_OK);
}

TEST_F(SqliteSinkTest, AbortRollsBackDataAndCheckpoint) {
  auto sink = open_ok(append_);
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1)})), FERRY_OK);
  ASSERT_EQ(sink->commit("p0", "1"), FERRY_OK);

  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(2, "b", 2)})), FERRY_OK);
  ASSERT_EQ(sink->abort(), FERRY_OK);
  EXPECT_EQ(sink->checkpoint("p0"), "1");

  // The next transaction starts clean.
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(3, "c", 3)})), FERRY_OK);
  ASSERT_EQ(sink->commit("p0", "3"), FERRY_OK);
  Db db(db_path());
  EXPECT_EQ(db.query("SELECT id FROM orders ORDER BY id"), (Rows{{"1"}, {"3"}}));
  EXPECT_EQ(sink->checkpoint("p0"), "3");
}

TEST_F(SqliteSinkTest, CloseWithoutCommitLeavesNothing) {
  {
    auto sink = open_ok(append_);
    ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1)})), FERRY_OK);
    ASSERT_EQ(sink->commit("p0", "1"), FERRY_OK);
    ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(2, "b", 2)})), FERRY_OK);
  }  // closed mid-transaction, as after a crash
  Db db(db_path());
  EXPECT_EQ(db.query("SELECT id FROM orders"), (Rows{{"1"}}));
  EXPECT_EQ(db.scalar("SELECT position FROM ferry_checkpoints"), "1");
}

TEST_F(SqliteSinkTest, CheckViolationFailsTheCallAndKeepsEarlierWrites) {
  {
    Db db(db_path());
    db.exec("CREATE TABLE orders (id INTEGER, name TEXT, amount REAL CHECK (amount >= 0))");
  }
  auto sink = open_ok(append_);
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1), order(2, "b", 2)})), FERRY_OK);

  std::vector<SinkHandle::Rejected> rejected;
  const FerryStatus st = sink->write(
      make_batch(kOrderColumns, {order(3, "c", 3), order(4, "bad", -1), order(5, "e", 5)}),
      &rejected);
  EXPECT_EQ(st, FERRY_INVALID_DATA);
  EXPECT_TRUE(rejected.empty()) << "a failed call reports no per-row outcomes";
  const std::string msg = sink->host().last_error();
  EXPECT_NE(msg.find("CHECK constraint failed: amount >= 0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"orders\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("row 1"), std::string::npos) << msg;

  // What the host does next: bisect, writing the good halves.
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(3, "c", 3)})), FERRY_OK);
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(5, "e", 5)})), FERRY_OK);
  ASSERT_EQ(sink->commit("p0", "5"), FERRY_OK);
  Db db(db_path());
  EXPECT_EQ(db.query("SELECT id FROM orders ORDER BY id"), (Rows{{"1"}, {"2"}, {"3"}, {"5"}}));
}

TEST_F(SqliteSinkTest, UniqueViolationIsInvalidData) {
  auto sink = open_ok(R"({"path":"out.db","table":"orders","key":["id"]})");  // append + PK
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1)})), FERRY_OK);
  EXPECT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "dup", 1)})), FERRY_INVALID_DATA);
  EXPECT_NE(sink->host().last_error().find("UNIQUE constraint failed"), std::string::npos)
      << sink->host().last_error();
}

TEST_F(SqliteSinkTest, WeirdIdentifiersAreQuoted) {
  const std::string config =
      R"({"path":"out.db","table":"my \"odd\" table","mode":"upsert","key":["select"]})";
  auto sink = open_ok(config);
  const std::vector<Column> cols = {
      {"select", FERRY_TYPE_INT64}, {"a\"b", FERRY_TYPE_STRING}, {"group by", FERRY_TYPE_STRING}};
  Row r;
  r.values = {Value::int64(1), Value::string("x'); DROP TABLE t; --"), Value::string("g")};
  ASSERT_EQ(sink->write(make_batch(cols, {r})), FERRY_OK) << sink->host().last_error();
  r.values[2] = Value::string("g2");
  ASSERT_EQ(sink->write(make_batch(cols, {r})), FERRY_OK) << sink->host().last_error();
  ASSERT_EQ(sink->commit("p0", "1"), FERRY_OK);

  Db db(db_path());
  EXPECT_EQ(db.query(R"(SELECT "select", "a""b", "group by" FROM "my ""odd"" table")"),
            (Rows{{"1", "x'); DROP TABLE t; --", "g2"}}));
}

TEST_F(SqliteSinkTest, EveryValueTypeRoundTrips) {
  auto sink = open_ok(R"({"path":"out.db","table":"types"})");
  const std::vector<Column> cols = {
      {"i", FERRY_TYPE_INT64},  {"d", FERRY_TYPE_DOUBLE},  {"b", FERRY_TYPE_BOOL},
      {"s", FERRY_TYPE_STRING}, {"y", FERRY_TYPE_BYTES},   {"t", FERRY_TYPE_TIMESTAMP},
      {"j", FERRY_TYPE_JSON},   {"m", FERRY_TYPE_DECIMAL}, {"n", FERRY_TYPE_NULL}};
  // 2024-01-02T03:04:05.123456Z
  const int64_t ts = 1704164645123456;
  Row full;
  full.values = {Value::int64(INT64_MIN),
                 Value::real(-0.125),
                 Value::boolean(true),
                 Value::string("héllo"),
                 Value::bytes(std::string("\0\xff\x01", 3)),
                 Value::timestamp(ts),
                 Value::json(R"({"a":[1,2]})"),
                 Value::decimal("-12.50"),
                 Value::null()};
  Row empty;  // empty text and bytes are values, not NULL; a pre-1970 timestamp
  empty.values = {Value::int64(0),   Value::real(0),   Value::boolean(false),
                  Value::string(""), Value::bytes(""), Value::timestamp(-1),
                  Value::null(),     Value::null(),    Value::null()};
  Row extremes;  // the int64 ends of TIMESTAMP still format
  extremes.values = {Value::int64(INT64_MAX), Value::null(), Value::null(),
                     Value::null(),           Value::null(), Value::timestamp(INT64_MIN)};
  Row far;
  far.values = {Value::int64(1), Value::null(), Value::null(),
                Value::null(),   Value::null(), Value::timestamp(INT64_MAX)};
  Row year_10000;  // years beyond four digits in ISO 8601's expanded form, as the file sink writes them
  year_10000.values = {Value::int64(2), Value::null(), Value::null(),
                       Value::null(),   Value::null(), Value::timestamp(253402300800000000)};
  Row year_minus_1;
  year_minus_1.values = {Value::int64(3), Value::null(), Value::null(),
                         Value::null(),   Value::null(), Value::timestamp(-62185708800000000)};
  ASSERT_EQ(sink->write(make_batch(cols, {full, empty, extremes, far, year_10000, year_minus_1})), FERRY_OK)
      << sink->host().last_error();
  ASSERT_EQ(sink->commit("p0", "2"), FERRY_OK);

  Db db(db_path());
  EXPECT_EQ(db.query("SELECT name, type FROM pragma_table_info('types')"), (Rows{{"i", "INTEGER"},
                                                                                 {"d", "REAL"},
                                                                                 {"b", "INTEGER"},
                                                                                 {"s", "TEXT"},
                                                                                 {"y", "BLOB"},
                                                                                 {"t", "TEXT"},
                                                                                 {"j", "TEXT"},
                                                                                 {"m", "TEXT"}}))
      << "n, null in every row, waits for a value to get a column";
  EXPECT_EQ(db.query("SELECT t FROM types WHERE rowid > 2 ORDER BY rowid"),
            (Rows{{"-290308-12-21T19:59:05.224192Z"},
                  {"+294247-01-10T04:00:54.775807Z"},
                  {"+10000-01-01T00:00:00.000000Z"},
                  {"-0001-06-01T00:00:00.000000Z"}}));
  db.exec("DELETE FROM types WHERE rowid > 2");
  EXPECT_EQ(db.query("SELECT typeof(i), typeof(d), typeof(b), typeof(s), typeof(y), typeof(t), "
                     "typeof(j), typeof(m) FROM types ORDER BY rowid"),
            (Rows{{"integer", "real", "integer", "text", "blob", "text", "text", "text"},
                  {"integer", "real", "integer", "text", "blob", "text", "null", "null"}}));
  EXPECT_EQ(
      db.query("SELECT i, d, b, s, hex(y), t, j, m FROM types ORDER BY rowid"),
      (Rows{{"-9223372036854775808", "-0.125", "1", "héllo", "00FF01",
             "2024-01-02T03:04:05.123456Z", R"({"a":[1,2]})", "-12.50"},
            {"0", "0.0", "0", "", "", "1969-12-31T23:59:59.999999Z", "NULL", "NULL"}}));
  // The text form is one SQLite's own date functions read.
  EXPECT_EQ(db.scalar("SELECT strftime('%s', t) FROM types ORDER BY rowid LIMIT 1"), "1704164645");
}

// SQLite stores NaN as NULL, keeps 15 digits of a REAL it turns into TEXT
// and turns an INTEGER into REAL in a REAL column: the sink writes what
// converts exactly and sends the rest to the DLQ with the reason.
TEST_F(SqliteSinkTest, ValuesAColumnWouldChangeAreStoredExactlyOrRejected) {
  {
    Db db(db_path());
    db.exec("CREATE TABLE orders (id INTEGER, name TEXT, amount REAL, note VARCHAR(20), n NUMERIC)");
  }
  auto sink = open_ok(append_);
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64},
                                    {"name", FERRY_TYPE_DOUBLE},
                                    {"amount", FERRY_TYPE_INT64},
                                    {"note", FERRY_TYPE_DOUBLE},
                                    {"n", FERRY_TYPE_DOUBLE}};
  auto row = [](int64_t id, double name, int64_t amount, double note, double n) {
    Row r;
    r.values = {Value::int64(id), Value::real(name), Value::int64(amount), Value::real(note), Value::real(n)};
    r.key = std::to_string(id);
    r.position = std::to_string(id);
    return r;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const int64_t exact = int64_t{1} << 53;  // every integer up to here is a double
  std::vector<SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink->write(make_batch(cols, {row(1, 0.30000000000000004, exact, 123456789.12345678, 1.5),
                                          row(2, 1e-7, -exact, 2.5, 0.30000000000000004),
                                          row(3, 1, exact + 1, 1, 1),
                                          row(4, 1, 1, nan, 1),
                                          row(5, nan, 1, 1, 1),
                                          row(6, -std::numeric_limits<double>::infinity(), 7, 1, nan)}),
                        &rejected),
            FERRY_OK)
      << sink->host().last_error();
  ASSERT_EQ(sink->commit("p0", "6"), FERRY_OK) << sink->host().last_error();
  std::vector<size_t> rows;
  for (const auto& r : rejected) {
    rows.push_back(r.row);
    EXPECT_EQ(r.status, FERRY_INVALID_DATA) << r.message;
  }
  EXPECT_EQ(rows, (std::vector<size_t>{2, 3, 4, 5}));
  ASSERT_EQ(rejected.size(), 4u);
  EXPECT_NE(rejected[0].message.find("\"amount\""), std::string::npos) << rejected[0].message;
  EXPECT_NE(rejected[0].message.find("9007199254740993"), std::string::npos) << rejected[0].message;
  EXPECT_NE(rejected[1].message.find("\"note\""), std::string::npos) << rejected[1].message;
  EXPECT_NE(rejected[1].message.find("NaN"), std::string::npos) << rejected[1].message;
  EXPECT_NE(rejected[2].message.find("\"name\""), std::string::npos) << rejected[2].message;
  EXPECT_NE(rejected[3].message.find("\"n\""), std::string::npos) << rejected[3].message;
  Db db(db_path());
  // A double into a TEXT column keeps every digit: the text reads back as
  // the same double.
  // SQLite's own text where it reads back as the same double ("1.0e-07",
  // "2.5"), as it always was.
  EXPECT_EQ(db.query("SELECT id, name, typeof(name), amount, note, typeof(note), n FROM orders ORDER BY id"),
            (Rows{{"1", "0.30000000000000004", "text", "9.00719925474099e+15", "123456789.12345678", "text", "1.5"},
                  {"2", "1.0e-07", "text", "-9.00719925474099e+15", "2.5", "text", "0.3"}}));
  EXPECT_EQ(db.query("SELECT amount = 9007199254740992, n = 0.30000000000000004 FROM orders WHERE id = 2 OR id = 1 "
                     "ORDER BY id"),
            (Rows{{"1", "0"}, {"0", "1"}}));

  // Text that reads as a number becomes one in a NUMERIC, INTEGER or REAL
  // column: where that number is another, the record is refused.
  const std::vector<Column> text_cols = {{"id", FERRY_TYPE_INT64}, {"n", FERRY_TYPE_DECIMAL}, {"note", FERRY_TYPE_STRING}};
  auto text_row = [](int64_t id, const std::string& n) {
    Row r;
    r.values = {Value::int64(id), Value::decimal(n), Value::string(n)};
    r.key = std::to_string(id);
    r.position = std::to_string(id);
    return r;
  };
  rejected.clear();
  ASSERT_EQ(sink->write(make_batch(text_cols, {text_row(7, "12345678901234567890.12"), text_row(8, "12.50"),
                                               text_row(9, "1e-400"), text_row(10, " 0.1 "),
                                               text_row(11, "98765432109876543210"), text_row(12, "abc")}),
                        &rejected),
            FERRY_OK)
      << sink->host().last_error();
  ASSERT_EQ(sink->commit("p0", "12"), FERRY_OK) << sink->host().last_error();
  rows.clear();
  for (const auto& r : rejected) rows.push_back(r.row);
  EXPECT_EQ(rows, (std::vector<size_t>{0, 2, 4}));
  ASSERT_EQ(rejected.size(), 3u);
  EXPECT_NE(rejected[0].message.find("would be stored as 12345678901234567000"), std::string::npos)
      << rejected[0].message;
  // SQLite reads 1e-400 as 0: the message says so, not that it is too large.
  EXPECT_NE(rejected[1].message.find("1e-400 would be stored as 0"), std::string::npos) << rejected[1].message;
  EXPECT_NE(rejected[2].message.find("would be stored as 98765432109876540000"), std::string::npos)
      << rejected[2].message;
  EXPECT_EQ(db.query("SELECT id, n, typeof(n), note FROM orders WHERE id > 6 ORDER BY id"),
            (Rows{{"8", "12.5", "real", "12.50"}, {"10", "0.1", "real", " 0.1 "}, {"12", "abc", "text", "abc"}}));
}

TEST_F(SqliteSinkTest, MissingTableWithoutCreateTableIsAConfigErrorAtOpen) {
  auto sink = open(R"({"path":"out.db","table":"orders","create_table":false})");
  EXPECT_EQ(sink->open_status(), FERRY_ERROR_CONFIG);
  const std::string msg = sink->host().last_error();
  EXPECT_NE(msg.find("table \"orders\" in " + db_path() + " does not exist"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("create_table"), std::string::npos) << msg;
}

TEST_F(SqliteSinkTest, MissingColumnWithoutCreateTableIsAConfigError) {
  {
    Db db(db_path());
    db.exec("CREATE TABLE orders (id INTEGER, name TEXT)");
  }
  auto sink = open_ok(R"({"path":"out.db","table":"orders","create_table":false})");
  EXPECT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1)})), FERRY_ERROR_CONFIG);
  const std::string msg = sink->host().last_error();
  EXPECT_NE(msg.find("field \"amount\""), std::string::npos) << msg;
  EXPECT_NE(msg.find(db_path()), std::string::npos) << msg;
}

TEST_F(SqliteSinkTest, NewFieldsBecomeNewColumns) {
  auto sink = open_ok(append_);
  const std::vector<Column> v1 = {{"id", FERRY_TYPE_INT64}, {"name", FERRY_TYPE_STRING}};
  Row a;
  a.values = {Value::int64(1), Value::string("a")};
  ASSERT_EQ(sink->write(make_batch(v1, {a})), FERRY_OK);
  ASSERT_EQ(sink->commit("p0", "1"), FERRY_OK);

  std::vector<Column> v2 = v1;
  v2.push_back({"score", FERRY_TYPE_DOUBLE});
  Row b;
  b.values = {Value::int64(2), Value::string("b"), Value::real(0.5)};
  ASSERT_EQ(sink->write(make_batch(v2, {b})), FERRY_OK) << sink->host().last_error();
  // And back to the old column list: its cached statement still applies.
  Row c;
  c.values = {Value::int64(3), Value::string("c")};
  ASSERT_EQ(sink->write(make_batch(v1, {c})), FERRY_OK);
  ASSERT_EQ(sink->commit("p0", "3"), FERRY_OK);

  Db db(db_path());
  EXPECT_EQ(db.query("SELECT id, name, score FROM orders ORDER BY id"),
            (Rows{{"1", "a", "NULL"}, {"2", "b", "0.5"}, {"3", "c", "NULL"}}));
  EXPECT_EQ(db.scalar("SELECT type FROM pragma_table_info('orders') WHERE name = 'score'"), "REAL");
}

// Parallel workers each have their own sink on one file. When both meet a
// new field, the second finds the column already added by the first: it
// writes into it instead of failing on "duplicate column name".
TEST_F(SqliteSinkTest, AColumnAnotherWriterAddedMeanwhileIsUsedNotAddedAgain) {
  auto first = open_ok(append_);
  auto second = open_ok(append_);
  const std::vector<Column> v1 = {{"id", FERRY_TYPE_INT64}, {"name", FERRY_TYPE_STRING}};
  Row a;
  a.values = {Value::int64(1), Value::string("a")};
  ASSERT_EQ(first->write(make_batch(v1, {a})), FERRY_OK);
  ASSERT_EQ(first->commit("p0", "1"), FERRY_OK);
  a.values = {Value::int64(2), Value::string("b")};
  ASSERT_EQ(second->write(make_batch(v1, {a})), FERRY_OK) << second->host().last_error();
  ASSERT_EQ(second->commit("p1", "1"), FERRY_OK);  // the second now knows the table as it was

  std::vector<Column> v2 = v1;
  v2.push_back({"score", FERRY_TYPE_DOUBLE});
  Row b;
  b.values = {Value::int64(3), Value::string("c"), Value::real(0.5)};
  ASSERT_EQ(first->write(make_batch(v2, {b})), FERRY_OK) << first->host().last_error();
  ASSERT_EQ(first->commit("p0", "3"), FERRY_OK);
  b.values = {Value::int64(4), Value::string("d"), Value::real(1.5)};
  ASSERT_EQ(second->write(make_batch(v2, {b})), FERRY_OK) << second->host().last_error();
  ASSERT_EQ(second->commit("p1", "4"), FERRY_OK);

  Db db(db_path());
  EXPECT_EQ(db.query("SELECT id, score FROM orders ORDER BY id"),
            (Rows{{"1", "NULL"}, {"2", "NULL"}, {"3", "0.5"}, {"4", "1.5"}}));
}

TEST_F(SqliteSinkTest, AFieldWithOnlyNullsWaitsForItsFirstValueForAType) {
  auto sink = open_ok(append_);
  // All-null in the first batch: nothing says what `n` holds yet.
  const std::vector<Column> v1 = {{"id", FERRY_TYPE_INT64}, {"n", FERRY_TYPE_NULL}};
  Row a;
  a.values = {Value::int64(1), Value::null()};
  ASSERT_EQ(sink->write(make_batch(v1, {a})), FERRY_OK) << sink->host().last_error();
  ASSERT_EQ(sink->commit("p0", "1"), FERRY_OK);
  {
    Db db(db_path());
    EXPECT_EQ(db.scalar("SELECT count(*) FROM pragma_table_info('orders') WHERE name = 'n'"), "0");
  }
  const std::vector<Column> v2 = {{"id", FERRY_TYPE_INT64}, {"n", FERRY_TYPE_INT64}};
  Row b;
  b.values = {Value::int64(2), Value::int64(9007199254740993)};
  ASSERT_EQ(sink->write(make_batch(v2, {b})), FERRY_OK) << sink->host().last_error();
  ASSERT_EQ(sink->commit("p0", "2"), FERRY_OK);

  Db db(db_path());
  EXPECT_EQ(db.scalar("SELECT type FROM pragma_table_info('orders') WHERE name = 'n'"), "INTEGER");
  EXPECT_EQ(db.query("SELECT id, n, typeof(n) FROM orders ORDER BY id"),
            (Rows{{"1", "NULL", "null"}, {"2", "9007199254740993", "integer"}}));
}

TEST_F(SqliteSinkTest, APinnedTypeCreatesTheColumnAtOnce) {
  auto sink = open_ok(R"j({"path":"out.db","table":"orders","columns":{"N":"NUMERIC(12,2)"}})j");
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64}, {"n", FERRY_TYPE_NULL}};
  Row a;
  a.values = {Value::int64(1), Value::null()};
  ASSERT_EQ(sink->write(make_batch(cols, {a})), FERRY_OK) << sink->host().last_error();
  ASSERT_EQ(sink->commit("p0", "1"), FERRY_OK);
  Db db(db_path());
  EXPECT_EQ(db.scalar("SELECT type FROM pragma_table_info('orders') WHERE name = 'n'"), "NUMERIC(12,2)");
}

TEST_F(SqliteSinkTest, ColumnTypesThatAreNotPlainSqlTypesAreRefusedAtOpen) {
  for (const std::string bad : {R"j({"n":"int); DROP TABLE x; --"})j", R"({"n":""})", R"({"n":3})", R"([1])"}) {
    auto sink = open(R"({"path":"out.db","table":"orders","columns":)" + bad + "}");
    EXPECT_EQ(sink->open_status(), FERRY_ERROR_CONFIG) << bad;
    EXPECT_NE(sink->host().last_error().find("option 'columns'"), std::string::npos) << sink->host().last_error();
  }
  auto sink = open(R"({"path":"out.db","table":"orders","schema_changes":"sometimes"})");
  EXPECT_EQ(sink->open_status(), FERRY_ERROR_CONFIG);
  EXPECT_NE(sink->host().last_error().find("schema_changes"), std::string::npos);
}

TEST_F(SqliteSinkTest, FieldsDifferingOnlyInCaseShareAColumnAndOnlyAClashIsRejected) {
  auto sink = open_ok(append_);
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64}, {"a", FERRY_TYPE_INT64}, {"A", FERRY_TYPE_INT64}};
  auto row = [](int64_t id, Value a, Value big_a) {
    Row r;
    r.values = {Value::int64(id), std::move(a), std::move(big_a)};
    return r;
  };
  std::vector<SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink->write(make_batch(cols, {row(1, Value::int64(10), Value::null()),
                                          row(2, Value::null(), Value::int64(20)),
                                          row(3, Value::int64(30), Value::int64(31)),
                                          row(4, Value::null(), Value::null())}),
                        &rejected),
            FERRY_OK)
      << sink->host().last_error();
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].row, 2u);
  EXPECT_EQ(rejected[0].status, FERRY_INVALID_DATA);
  EXPECT_NE(rejected[0].message.find("\"a\" and \"A\""), std::string::npos) << rejected[0].message;
  ASSERT_EQ(sink->commit("p0", "4"), FERRY_OK);
  Db db(db_path());
  EXPECT_EQ(db.query("SELECT id, a FROM orders ORDER BY id"),
            (Rows{{"1", "10"}, {"2", "20"}, {"4", "NULL"}}));
}

TEST_F(SqliteSinkTest, RejectRowSendsOnlyRecordsWithAValueInANewFieldToTheDlq) {
  {
    Db db(db_path());
    db.exec("CREATE TABLE orders (id INTEGER, name TEXT)");
  }
  auto sink = open_ok(R"({"path":"out.db","table":"orders","schema_changes":"reject_row"})");
  std::vector<SinkHandle::Rejected> rejected;
  Row with_amount = order(1, "a", 1.5);
  Row without = order(2, "b", 0);
  without.values[2] = Value::null();
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {with_amount, without}), &rejected), FERRY_OK)
      << sink->host().last_error();
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].row, 0u);
  EXPECT_NE(rejected[0].message.find("\"amount\""), std::string::npos) << rejected[0].message;
  EXPECT_NE(rejected[0].message.find("reject_row"), std::string::npos) << rejected[0].message;
  ASSERT_EQ(sink->commit("p0", "2"), FERRY_OK);
  Db db(db_path());
  EXPECT_EQ(db.query("SELECT id, name FROM orders"), (Rows{{"2", "b"}}));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pragma_table_info('orders')"), "2");
}

// An empty name, or one with a NUL (which an SQL statement cannot carry),
// names no column: such a field stopped the run with a cut-off syntax
// error, or became a column named "". Records with a value there go to
// the DLQ; the others commit.
TEST_F(SqliteSinkTest, AFieldNoColumnCanBeNamedAfterRejectsOnlyRecordsWithAValueInIt) {
  auto sink = open_ok(R"({"path":"out.db","table":"t"})");
  const std::vector<Column> cols = {
      {"id", FERRY_TYPE_INT64}, {std::string("a\0b", 3), FERRY_TYPE_INT64}, {"", FERRY_TYPE_STRING}};
  Row nul, empty, neither;
  nul.values = {Value::int64(1), Value::int64(7), Value::null()};
  empty.values = {Value::int64(2), Value::null(), Value::string("x")};
  neither.values = {Value::int64(3), Value::null(), Value::null()};
  std::vector<SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink->write(make_batch(cols, {nul, empty, neither}), &rejected), FERRY_OK)
      << sink->host().last_error();
  ASSERT_EQ(rejected.size(), 2u);
  EXPECT_EQ(rejected[0].row, 0u);
  EXPECT_NE(rejected[0].message.find("cannot name a column: it holds a NUL character"), std::string::npos)
      << rejected[0].message;
  EXPECT_EQ(rejected[1].row, 1u);
  EXPECT_NE(rejected[1].message.find("cannot name a column: the name is empty"), std::string::npos)
      << rejected[1].message;
  ASSERT_EQ(sink->commit("p0", "3"), FERRY_OK);
  Db db(db_path());
  EXPECT_EQ(db.query("SELECT id FROM t"), (Rows{{"3"}}));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pragma_table_info('t')"), "1");
}

TEST_F(SqliteSinkTest, FreezeRefusesABatchWithANewField) {
  {
    Db db(db_path());
    db.exec("CREATE TABLE orders (id INTEGER, name TEXT)");
  }
  auto sink = open_ok(R"({"path":"out.db","table":"orders","schema_changes":"freeze"})");
  EXPECT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1)})), FERRY_ERROR_CONFIG);
  EXPECT_NE(sink->host().last_error().find("\"amount\""), std::string::npos) << sink->host().last_error();
  // Written, not implied by create_table false: the message says so.
  EXPECT_NE(sink->host().last_error().find("schema_changes is \"freeze\""), std::string::npos)
      << sink->host().last_error();
  EXPECT_EQ(sink->host().last_error().find("the default when create_table is false"), std::string::npos)
      << sink->host().last_error();
  sink.reset();
  auto implied = open_ok(R"({"path":"out.db","table":"orders","create_table":false})");
  EXPECT_EQ(implied->write(make_batch(kOrderColumns, {order(1, "a", 1)})), FERRY_ERROR_CONFIG);
  EXPECT_NE(implied->host().last_error().find("(the default when create_table is false)"), std::string::npos)
      << implied->host().last_error();
}

TEST_F(SqliteSinkTest, AbortAlsoUndoesSchemaChanges) {
  auto sink = open_ok(append_);
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1)})), FERRY_OK);
  ASSERT_EQ(sink->abort(), FERRY_OK);  // the CREATE TABLE is undone too
  // Retrying the same batch must re-create the table, not trust a stale cache.
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1)})), FERRY_OK)
      << sink->host().last_error();
  ASSERT_EQ(sink->commit("p0", "1"), FERRY_OK);
  Db db(db_path());
  EXPECT_EQ(db.scalar("SELECT count(*) FROM orders"), "1");
}

TEST_F(SqliteSinkTest, FailedCallThatAddedAColumnIsFullyUndone) {
  {
    Db db(db_path());
    db.exec("CREATE TABLE orders (id INTEGER, name TEXT CHECK (name <> 'bad'))");
  }
  auto sink = open_ok(append_);
  // Adds `amount`, then fails on the CHECK: the ALTER is rolled back too.
  EXPECT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "bad", 1)})), FERRY_INVALID_DATA);
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(2, "ok", 2)})), FERRY_OK)
      << sink->host().last_error();
  ASSERT_EQ(sink->commit("p0", "2"), FERRY_OK);
  Db db(db_path());
  EXPECT_EQ(db.query("SELECT id, amount FROM orders"), (Rows{{"2", "2.0"}}));
}

TEST_F(SqliteSinkTest, LockedDatabaseAsksForRetry) {
  auto sink = open_ok(R"({"path":"out.db","table":"orders","busy_timeout_ms":50})");
  Db other(db_path());
  other.exec("BEGIN IMMEDIATE");
  EXPECT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1)})), FERRY_RETRY);
  EXPECT_FALSE(sink->host().retry_hints.empty());
  other.exec("ROLLBACK");
  ASSERT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1)})), FERRY_OK);
  ASSERT_EQ(sink->commit("p0", "1"), FERRY_OK);
}

TEST_F(SqliteSinkTest, ConfigErrorsAreReportedAtOpen) {
  struct Case {
    const char* config;
    const char* expect;
  } cases[] = {
      {R"({"table":"t"})", "missing required option 'path'"},
      {R"({"path":"out.db"})", "missing required option 'table'"},
      {R"({"path":"out.db","table":"t","mode":"upsert"})", "needs option 'key'"},
      {R"({"path":"out.db","table":"t","mode":"merge"})", "'mode'"},
      {R"({"path":"out.db","table":"t","synchronous":"off"})", "'synchronous'"},
      {R"({"path":"out.db","table":"t","colour":1})", "unknown option 'colour'"},
      {R"({"path":"out.db","table":"t","key":"id"})", "option 'key': expected array"},
      {R"(not json)", "not a JSON object"},
  };
  for (const Case& c : cases) {
    auto sink = open(c.config);
    EXPECT_EQ(sink->open_status(), FERRY_ERROR_CONFIG) << c.config;
    EXPECT_NE(sink->host().last_error().find(c.expect), std::string::npos)
        << c.config << " -> " << sink->host().last_error();
  }
}

TEST_F(SqliteSinkTest, UnopenableFilesAreIoErrorsNamingThePath) {
  auto missing_dir = open(R"({"path":"no/such/dir/out.db","table":"t"})");
  EXPECT_EQ(missing_dir->open_status(), FERRY_ERROR_IO);
  EXPECT_NE(missing_dir->host().last_error().find(dir_.file("no/such/dir/out.db")),
            std::string::npos)
      << missing_dir->host().last_error();

  {
    std::FILE* f = std::fopen(dir_.file("junk.db").c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not a database, just some text long enough to have a header page", f);
    std::fclose(f);
  }
  auto junk = open(R"({"path":"junk.db","table":"t"})");
  EXPECT_EQ(junk->open_status(), FERRY_ERROR_IO);
  EXPECT_NE(junk->host().last_error().find("not a database"), std::string::npos)
      << junk->host().last_error();
}

TEST_F(SqliteSinkTest, UpsertOnATableWithoutAMatchingKeyIsAConfigError) {
  {
    Db db(db_path());
    db.exec("CREATE TABLE orders (id INTEGER, name TEXT, amount REAL)");  // no PK
  }
  auto sink = open_ok(upsert_);
  EXPECT_EQ(sink->write(make_batch(kOrderColumns, {order(1, "a", 1)})), FERRY_ERROR_CONFIG);
  EXPECT_NE(sink->host().last_error().find("ON CONFLICT"), std::string::npos)
      << sink->host().last_error();
}

}  // namespace
