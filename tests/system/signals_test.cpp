// SIGINT/SIGTERM stop a run between batches: the batch in flight either
// commits whole or not at all, the exit code says "interrupted", and the
// next run finishes the job exactly.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

int64_t query(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  int64_t v = -1;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
      v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(h);
  return v;
}

void interrupt_and_resume(int sig) {
  ferry::test::TempDir dir;
  ferry::test::write_file(dir.file("p.json"), R"({
    "name": "sig", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 300000}},
    "batch": {"max_records": 50},
    "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "t.db", "table": "t"}}]})");
  ferry::test::Process p({FERRY_TEST_BINARY, "run", "--no-progress", dir.file("p.json")}, {},
                         dir.file("out"), dir.file("err"));
  // Wait until rows are landing (the handlers are installed by then), then
  // interrupt.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (query(dir.file("t.db"), "SELECT count(*) FROM t") <= 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_GT(query(dir.file("t.db"), "SELECT count(*) FROM t"), 0) << ferry::test::slurp(dir.file("err"));
  p.kill_now(sig);
  auto [code, signal] = p.wait();
  EXPECT_EQ(code, 130) << ferry::test::slurp(dir.file("err"));
  EXPECT_NE(ferry::test::slurp(dir.file("out")).find("stopped"), std::string::npos);

  // Whole batches only: the rows are 1..n with n a multiple of the batch size,
  // and the sink's checkpoint says n.
  int64_t rows = query(dir.file("t.db"), "SELECT count(*) FROM t");
  EXPECT_GT(rows, 0);
  EXPECT_LT(rows, 300000) << "interrupted too late to test anything";
  EXPECT_EQ(rows % 50, 0);
  EXPECT_EQ(query(dir.file("t.db"), "SELECT max(id) FROM t"), rows);
  EXPECT_EQ(query(dir.file("t.db"), "SELECT CAST(position AS INTEGER) FROM ferry_checkpoints"), rows);

  auto again = ferry::test::ferry({"run", "--no-progress", dir.file("p.json")});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(query(dir.file("t.db"), "SELECT count(*) FROM t"), 300000);
  EXPECT_EQ(query(dir.file("t.db"), "SELECT count(DISTINCT id) FROM t"), 300000);
}

}  // namespace

TEST(Signals, SigintStopsBetweenBatchesAndTheNextRunFinishesExactly) { interrupt_and_resume(SIGINT); }
TEST(Signals, SigtermStopsBetweenBatchesAndTheNextRunFinishesExactly) { interrupt_and_resume(SIGTERM); }
