// <ferry/batch_builder.h>: a source written in C builds its batches with
// it (tests/plugins/c_builder_source.c); every value arrives in a SQLite
// table as built, and the source passes the conformance kit.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

std::vector<std::string> rows(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  std::vector<std::string> out;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return {"cannot open " + db};
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr);
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      const unsigned char* t = sqlite3_column_text(st, c);
      row += (c ? "|" : "") + (t ? std::string(reinterpret_cast<const char*>(t)) : std::string("NULL"));
    }
    out.push_back(row);
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

TEST(CBatchBuilder, EveryValueArrivesAsBuilt) {
  ferry::test::TempDir dir;
  ferry::test::write_file(dir.file("p.json"), R"({"name": "cb", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "c-builder", "config": {"rows": 25}},
    "batch": {"max_records": 7},
    "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "out.db", "table": "t"}}]})");
  const auto r = ferry::test::ferry({"run", "--no-progress", dir.file("p.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto all = rows(dir.file("out.db"), "SELECT count(*), sum(id), sum(odd), count(note) FROM t");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0], "25|325|13|13");
  const auto some = rows(dir.file("out.db"), "SELECT id, name, amount, odd, note FROM t WHERE id IN (1, 8, 25) ORDER BY id");
  EXPECT_EQ(some, (std::vector<std::string>{"1|row 1 \xc3\xa9|0.5|1|{\"n\":1}", "8|row 8 \xc3\xa9|4.0|0|NULL",
                                            "25|row 25 \xc3\xa9|12.5|1|{\"n\":25}"}));
}

TEST(CBatchBuilder, TheSourcePassesTheConformanceKit) {
  const auto r = ferry::test::run_process(
      {FERRY_TEST_BINARY, "plugin", "check", FERRY_TEST_FIXTURE_DIR "/c_builder_source.so", "--config", R"({"rows": 40})"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("source: resumes exactly        pass   from 6 batch end(s)"), std::string::npos) << r.out;
}

}  // namespace
