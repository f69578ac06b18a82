// The sqlite sink stores a value exactly or rejects the record, whatever
// the column's affinity. SQLite turns a -0 double into 0 in a REAL,
// NUMERIC or INTEGER column, and into the text "0.0" in a TEXT one.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <cmath>
#include <string>

#include <ferry/testing/handles.hpp>
#include <ferry/testing/values.hpp>

#include "support/plugin_harness.h"
#include "support/scenario_env.h"
#include "support/temp_dir.h"

namespace {

// Column v of row 1, as SQLite gives it back: its type and, for a REAL,
// whether its sign bit is set (SQL's quote() prints -0 as 0.0).
std::string first_v(const std::string& db, const std::string& table) {
  sqlite3* c = nullptr;
  sqlite3_open(db.c_str(), &c);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(c, ("SELECT v FROM " + table + " WHERE id = 1").c_str(), -1, &s, nullptr);
  std::string out = "none";
  if (sqlite3_step(s) == SQLITE_ROW) {
    if (sqlite3_column_type(s, 0) == SQLITE_FLOAT)
      out = std::signbit(sqlite3_column_double(s, 0)) ? "real -0" : "real +0";
    else
      out = std::string("text ") + reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  sqlite3_close(c);
  return out;
}

using ferry::test::Column;
using ferry::test::make_batch;
using ferry::test::Row;
using ferry::test::Value;

TEST(SqliteSinkValues, NegativeZeroIsKeptOrRefusedNeverStoredAsZero) {
  ferry::test::TempDir tmp;
  const std::string db = tmp.path().string() + "/t.db";
  sqlite3* c = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &c), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(c, "CREATE TABLE t (id INTEGER, v)", nullptr, nullptr, nullptr), SQLITE_OK);
  for (const char* type : {"REAL", "NUMERIC", "INTEGER", "TEXT"})
    ASSERT_EQ(sqlite3_exec(c, (std::string("CREATE TABLE t_") + type + " (id INTEGER, v " + type + ")").c_str(),
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
  sqlite3_close(c);

  ferry::test::Plugin plugin(ferry::test::plugin_path("sqlite"));
  for (const std::string table : {"t", "t_REAL", "t_NUMERIC", "t_INTEGER", "t_TEXT"}) {
    ferry::test::OpenParams params;
    params.config_json = R"({"path": ")" + db + R"(", "table": ")" + table + R"("})";
    ferry::test::SinkHandle sink(plugin, params);
    ASSERT_EQ(sink.open_status(), FERRY_OK) << sink.host().last_error();
    Row neg, pos;
    neg.values = {Value::int64(1), Value::real(-0.0)};
    neg.key = neg.position = "1";
    pos.values = {Value::int64(2), Value::real(0.0)};
    pos.key = pos.position = "2";
    std::vector<ferry::test::SinkHandle::Rejected> rejected;
    ASSERT_EQ(sink.write(make_batch({{"id", FERRY_TYPE_INT64}, {"v", FERRY_TYPE_DOUBLE}}, {neg, pos}), &rejected),
              FERRY_OK)
        << sink.host().last_error();
    ASSERT_EQ(sink.commit("p0", "2"), FERRY_OK) << sink.host().last_error();
    if (table == "t" || table == "t_TEXT") {
      // Kept: as the double -0 where no affinity converts it, as "-0" text.
      EXPECT_TRUE(rejected.empty()) << table << ": " << (rejected.empty() ? "" : rejected[0].message);
      EXPECT_EQ(first_v(db, table), table == "t" ? "real -0" : "text -0") << table;
    } else {
      ASSERT_EQ(rejected.size(), 1u) << table;
      EXPECT_EQ(rejected[0].row, 0u);
      EXPECT_NE(rejected[0].message.find("-0"), std::string::npos) << rejected[0].message;
      EXPECT_EQ(first_v(db, table), "none") << table;
    }
  }
}

}  // namespace
