// Crash safety: a pipeline is killed with SIGKILL at random points of its
// progress and restarted each time; at the end the destination must equal
// the source: nothing lost, and nothing duplicated where the sink promises
// it.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <filesystem>
#include <set>
#include <utility>

#include <boost/json.hpp>

#include "support/kill_loop.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::TempDir;
constexpr int64_t kRows = 200000;
constexpr int kKills = 10;

// Runs `pipeline` under kill_loop (support/kill_loop.h): killed ten times at
// points chosen by its progress, restarted each time, then left to finish.
ferry::test::KillLoopResult crash_loop(const TempDir& dir, const std::string& pipeline, uint64_t seed,
                                       std::function<int64_t()> landed) {
  ferry::test::KillLoopSpec spec;
  spec.argv = {FERRY_TEST_BINARY, "run", "--no-progress", pipeline};
  spec.out_file = dir.file("out.txt");
  spec.err_file = dir.file("err.txt");
  spec.total = kRows;
  spec.landed = std::move(landed);
  spec.kills = kKills;
  spec.seed = seed;
  return ferry::test::kill_loop(spec);
}

struct Table {
  int64_t rows = 0;
  int64_t distinct_ids = 0;
  int64_t id_sum = 0;
  int64_t bad_values = 0;  // rows whose values differ from the generator's
};

// Rows landed so far; 0 while the table does not exist yet.
int64_t count_rows(const std::string& db) {
  sqlite3* h = nullptr;
  int64_t n = 0;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(h, "SELECT count(*) FROM orders", -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
      n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(h);
  return n;
}

Table read_table(const std::string& db) {
  sqlite3* h = nullptr;
  Table t;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db;
    return t;
  }
  sqlite3_stmt* s = nullptr;
  const char* sql =
      "SELECT count(*), count(DISTINCT id), total(id), "
      "sum(name <> 'name-' || id OR amount <> id * 0.25) FROM orders";
  EXPECT_EQ(sqlite3_prepare_v2(h, sql, -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(h);
  if (s && sqlite3_step(s) == SQLITE_ROW) {
    t.rows = sqlite3_column_int64(s, 0);
    t.distinct_ids = sqlite3_column_int64(s, 1);
    t.id_sum = static_cast<int64_t>(sqlite3_column_double(s, 2));
    t.bad_values = sqlite3_column_int64(s, 3);
  }
  sqlite3_finalize(s);
  sqlite3_close(h);
  return t;
}

}  // namespace

TEST(CrashSafety, SqliteSinkIsExactlyOnceUnderRepeatedSigkill) {
  TempDir dir;
  ferry::test::write_file(dir.file("p.json"), R"({
    "name": "crash", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 200000, "partitions": 2}},
    "batch": {"max_records": 100},
    "sinks": [{"name": "db", "plugin": "sqlite",
               "config": {"path": "target.db", "table": "orders"}}]})");
  const ferry::test::KillLoopResult r = crash_loop(dir, dir.file("p.json"), 20261121, [&] {
    return count_rows(dir.file("target.db"));
  });
  EXPECT_GE(r.kills, kKills) << "the run finished before it was killed often enough";
  EXPECT_GE(r.kills_mid_data, kKills / 2) << "too few kills landed while data was moving";
  Table t = read_table(dir.file("target.db"));
  EXPECT_EQ(t.rows, kRows);
  EXPECT_EQ(t.distinct_ids, kRows);
  EXPECT_EQ(t.id_sum, kRows * (kRows + 1) / 2);
  EXPECT_EQ(t.bad_values, 0);
}

TEST(CrashSafety, FileSinkHoldsEveryRecordInExactlyOneFile) {
  TempDir dir;
  ferry::test::write_file(dir.file("p.json"), R"({
    "name": "crashfile", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 200000, "partitions": 2}},
    "batch": {"max_records": 100},
    "sinks": [{"name": "files", "plugin": "file", "config": {"directory": "out"}}]})");
  const ferry::test::KillLoopResult r = crash_loop(dir, dir.file("p.json"), 42, [&] {
    int64_t files = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir.path() / "out", ec))
      files += e.path().extension() == ".jsonl";
    return files * 100;
  });
  EXPECT_GE(r.kills, kKills) << "the run finished before it was killed often enough";
  EXPECT_GE(r.kills_mid_data, kKills / 2) << "too few kills landed while data was moving";

  std::vector<int> seen(kRows + 1, 0);
  int64_t lines = 0;
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "out")) {
    std::string name = entry.path().filename().string();
    ASSERT_EQ(entry.path().extension(), ".jsonl") << "leftover file " << name;
    ++files;
    std::istringstream in(ferry::test::read_file(entry.path().string()));
    for (std::string line; std::getline(in, line);) {
      ++lines;
      boost::json::object o = boost::json::parse(line).as_object();
      int64_t id = o.at("id").as_int64();
      ASSERT_GE(id, 1);
      ASSERT_LE(id, kRows);
      ++seen[id];
      EXPECT_EQ(o.at("name").as_string(), "name-" + std::to_string(id));
    }
  }
  EXPECT_EQ(lines, kRows);
  EXPECT_EQ(files, static_cast<size_t>(kRows / 100));
  for (int64_t id = 1; id <= kRows; ++id) ASSERT_EQ(seen[id], 1) << "id " << id;
}
