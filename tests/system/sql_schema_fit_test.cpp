// How a batch meets a SQL table, through `ferry run` into SQLite, a real
// PostgreSQL and a real MariaDB: a field that is null in the batch that
// creates the table gets its type from its first value, not a guessed text
// column; fields that differ only in case cost only the records that hold a
// value in both, in the targets whose column names ignore case.
#include <gtest/gtest.h>

#include <memory>
#include <sqlite3.h>
#include <string>

#include "support/scenario_env.h"
#include "support/servers.h"

namespace {

using ferry::core::DlqStatus;
using ferry::test::ScenarioDir;

// Three records per batch: `n` is null in all of the first batch.
constexpr const char* kData =
    R"({"id": 1, "name": "a", "n": null, "a": 1})" "\n"
    R"({"id": 2, "name": "b", "n": null, "A": 2})" "\n"
    R"({"id": 3, "name": "c", "n": null})" "\n"
    R"({"id": 4, "name": "d", "n": 40, "a": 4, "A": 5})" "\n"
    R"({"id": 5, "name": "e", "n": 50})" "\n"
    R"({"id": 6, "name": "f", "n": 60})" "\n";

std::string pipeline(const std::string& sink_plugin, const std::string& sink_config) {
  return R"({"name": "fit", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "data.jsonl", "format": "jsonl"}},
    "batch": {"max_records": 3},
    "sinks": [{"name": "db", "plugin": ")" + sink_plugin + R"(", "config": )" + sink_config + "}]}";
}

// Runs the pipeline; expects exit 0 and returns the pending DLQ entries.
std::vector<ferry::core::DlqEntry> run_ok(const ScenarioDir& d, const std::string& json) {
  ferry::test::write_file(d.file("data.jsonl"), kData);
  d.define(json);
  auto r = d.run();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  return d.dlq(DlqStatus::Pending);
}

void expect_only_the_clash_rejected(const std::vector<ferry::core::DlqEntry>& dlq) {
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_NE(dlq[0].record_json.find("\"id\":4"), std::string::npos) << dlq[0].record_json;
  EXPECT_NE(dlq[0].message.find("\"a\" and \"A\""), std::string::npos) << dlq[0].message;
}

TEST(SchemaFitSqlite, NullFirstFieldIsTypedByItsFirstValueAndCaseClashesCostOneRecord) {
  ScenarioDir d("fit");
  auto dlq = run_ok(d, pipeline("sqlite", R"({"path": "out.db", "table": "t"})"));
  expect_only_the_clash_rejected(dlq);
  auto q = [&](const std::string& sql) { return ferry::test::sqlite_rows(d.file("out.db"), sql); };
  EXPECT_EQ(q("SELECT type FROM pragma_table_info('t') WHERE name = 'n'"),
            (std::vector<std::vector<std::string>>{{"INTEGER"}}));
  EXPECT_EQ(q("SELECT count(*), sum(n), group_concat(a) FROM (SELECT * FROM t ORDER BY id)"),
            (std::vector<std::vector<std::string>>{{"5", "110", "1,2"}}));
}

// Documented (docs/pipeline.md): with "create_table": false and no
// "schema_changes", the sink adds no columns either. The declared default
// of "schema_changes" must not stand in for "not given": a run filled it in
// and added the column.
TEST(SchemaFitSqlite, ATableTheSinkMayNotCreateGetsNoNewColumnsUnlessAsked) {
  ScenarioDir d("fit");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(d.file("out.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, n INTEGER)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  ferry::test::write_file(d.file("data.jsonl"), kData);
  d.define(pipeline("sqlite", R"({"path": "out.db", "table": "t", "create_table": false})"));
  auto r = d.run();
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("freeze"), std::string::npos) << r.out << r.err;
  auto q = [&](const std::string& sql) { return ferry::test::sqlite_rows(d.file("out.db"), sql); };
  EXPECT_EQ(q("SELECT group_concat(name) FROM pragma_table_info('t')"),
            (std::vector<std::vector<std::string>>{{"id,name,n"}}));
  EXPECT_EQ(q("SELECT count(*) FROM t"), (std::vector<std::vector<std::string>>{{"0"}}));
}

class SchemaFitPostgres : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<ferry::test::PgServer>(); }
  static void TearDownTestSuite() { server_.reset(); }
  static std::unique_ptr<ferry::test::PgServer> server_;
};
std::unique_ptr<ferry::test::PgServer> SchemaFitPostgres::server_;

TEST_F(SchemaFitPostgres, NullFirstFieldIsTypedByItsFirstValue) {
  ScenarioDir d("fit");
  server_->psql("CREATE DATABASE fit");
  auto dlq = run_ok(d, pipeline("postgres", R"({"dsn": ")" + server_->dsn("fit") + R"(", "table": "t"})"));
  // PostgreSQL keeps "a" and "A" apart: nothing to reject.
  EXPECT_TRUE(dlq.empty());
  EXPECT_EQ(server_->psql("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                          "WHERE attrelid = 't'::regclass AND attname = 'n'", "fit"),
            "bigint\n");
  EXPECT_EQ(server_->psql(R"(SELECT count(*), sum(n), sum(a), sum("A") FROM t)", "fit"), "6|150|5|7\n");
}

TEST_F(SchemaFitPostgres, PinnedTypesAndFreezeHold) {
  ScenarioDir d("fit");
  server_->psql("CREATE DATABASE pinned");
  run_ok(d, pipeline("postgres", R"({"dsn": ")" + server_->dsn("pinned") +
                                     R"j(", "table": "t", "columns": {"n": "numeric(12,2)", "a": "integer"}})j"));
  EXPECT_EQ(server_->psql("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                          "WHERE attrelid = 't'::regclass AND attname IN ('n', 'a') ORDER BY attname", "pinned"),
            "a|integer\nn|numeric(12,2)\n");
  EXPECT_EQ(server_->psql("SELECT sum(n) FROM t", "pinned"), "150.00\n");
}

class SchemaFitMaria : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ferry::test::MariaServer>();
    server_->sql(
        "CREATE USER 'ferry'@'127.0.0.1' IDENTIFIED BY 'pw'; GRANT ALL ON *.* TO 'ferry'@'127.0.0.1';"
        "CREATE DATABASE fit CHARACTER SET utf8mb4;");
  }
  static void TearDownTestSuite() { server_.reset(); }
  static std::unique_ptr<ferry::test::MariaServer> server_;
};
std::unique_ptr<ferry::test::MariaServer> SchemaFitMaria::server_;

TEST_F(SchemaFitMaria, NullFirstFieldIsTypedByItsFirstValueAndCaseClashesCostOneRecord) {
  ScenarioDir d("fit");
  auto dlq = run_ok(d, pipeline("mysql", R"({"host": "127.0.0.1", "port": )" + std::to_string(server_->port()) +
                                             R"(, "user": "ferry", "password": "pw", "database": "fit", "table": "t"})"));
  expect_only_the_clash_rejected(dlq);
  EXPECT_EQ(server_->sql("SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'fit' "
                         "AND TABLE_NAME = 't' AND COLUMN_NAME = 'n'"),
            "bigint\n");
  EXPECT_EQ(server_->sql("SELECT COUNT(*), SUM(n), GROUP_CONCAT(a ORDER BY id) FROM fit.t"), "5\t110\t1,2\n");
}

}  // namespace
