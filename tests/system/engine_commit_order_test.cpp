// The commit order of the reliability contract, checked by failing and
// crashing a sink at each step of a batch and restarting:
//   write -> commit -> checkpoint -> checkpoint hooks.
// The sink is the `fault` fixture; `ferry` runs as a real process.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "state/state_store.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::TempDir;

// 50 generated rows in batches of 10: batch 3 covers ids 21..30.
std::string pipeline(const std::string& sink_extra, const std::string& hook_extra = "") {
  return R"({"name": "order", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 50}},
    "batch": {"max_records": 10},
    "retry": {"max_attempts": 2, "initial_delay_ms": 1},
    "sinks": [{"name": "out", "plugin": "fault", "config": {"dir": "." )" +
         sink_extra + R"(}}],
    "hooks": {"checkpoint": [{"name": "audit", "plugin": "fault", "config": {"dir": "." )" +
         hook_extra + "}}]}}";
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Committed positions in rows.txt, with how often each was delivered.
std::map<long, int> delivered(const TempDir& dir) {
  std::map<long, int> count;
  for (const std::string& l : lines(ferry::test::read_file(dir.file("rows.txt")))) {
    std::istringstream f(l);
    std::string partition, position;
    std::getline(f, partition, '\t');
    std::getline(f, position, '\t');
    count[std::stol(position)]++;
  }
  return count;
}

std::string checkpoint(const TempDir& dir) {
  auto state = ferry::core::open_sqlite_state(dir.file("state.db"));
  auto cp = state->load_checkpoint("order", "p0");
  return cp ? cp->position : "none";
}

ferry::test::ProcessResult run(const TempDir& dir, const std::string& json) {
  ferry::test::write_file(dir.file("p.json"), json);
  return ferry::test::ferry({"run", "--no-progress", dir.file("p.json")});
}

void expect_every_row_once(const TempDir& dir) {
  auto d = delivered(dir);
  ASSERT_EQ(d.size(), 50u);
  for (long id = 1; id <= 50; ++id) EXPECT_EQ(d[id], 1) << "id " << id;
}

}  // namespace

TEST(EngineCommitOrder, CleanRunWritesThenCommitsThenCheckpointsThenFiresHooks) {
  TempDir dir;
  auto r = run(dir, pipeline(""));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> ev = lines(ferry::test::read_file(dir.file("events.txt")));
  ASSERT_EQ(ev.size(), 11u);
  EXPECT_EQ(ev[0], "open");
  for (int b = 0; b < 5; ++b) {
    EXPECT_EQ(ev[1 + 2 * b], "write 10");
    EXPECT_EQ(ev[2 + 2 * b], "commit p0 " + std::to_string((b + 1) * 10));
  }
  expect_every_row_once(dir);
  EXPECT_EQ(checkpoint(dir), "50");
  EXPECT_EQ(lines(ferry::test::read_file(dir.file("hook_rows.txt"))).size(), 50u);
  EXPECT_NE(r.out.find("read 50, written 50, rejected 0, batches 5"), std::string::npos) << r.out;
  // A second run has nothing left to do.
  auto again = run(dir, pipeline(""));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  expect_every_row_once(dir);
}

TEST(EngineCommitOrder, FailureBeforeWriteKeepsTheOldCheckpoint) {
  TempDir dir;
  auto r = run(dir, pipeline(R"(, "error_point": "before_write", "fault_batch": 3)"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("injected failure before_write"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line on stderr: " << r.err;
  EXPECT_EQ(checkpoint(dir), "20");
  EXPECT_EQ(delivered(dir).size(), 20u);
  ASSERT_EQ(run(dir, pipeline("")).exit_code, 0);
  expect_every_row_once(dir);
}

TEST(EngineCommitOrder, FailureAfterWriteCommitsNothingOfTheBatch) {
  TempDir dir;
  auto r = run(dir, pipeline(R"(, "error_point": "after_write", "fault_batch": 3)"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(checkpoint(dir), "20");
  EXPECT_EQ(delivered(dir).size(), 20u);
  ASSERT_EQ(run(dir, pipeline("")).exit_code, 0);
  expect_every_row_once(dir);
}

TEST(EngineCommitOrder, CrashBeforeCommitLosesNothing) {
  TempDir dir;
  auto r = run(dir, pipeline(R"(, "crash_point": "before_commit", "fault_batch": 3)"));
  EXPECT_EQ(r.exit_code, 86);
  EXPECT_EQ(checkpoint(dir), "20");
  ASSERT_EQ(run(dir, pipeline("")).exit_code, 0);
  expect_every_row_once(dir);
}

TEST(EngineCommitOrder, CrashAfterCommitBeforeCheckpointRedeliversThatBatchOnly) {
  TempDir dir;
  auto r = run(dir, pipeline(R"(, "crash_point": "after_commit", "fault_batch": 3)"));
  EXPECT_EQ(r.exit_code, 86);
  // The sink has batch 3; the checkpoint does not: at-least-once for a
  // non-transactional sink means batch 3 comes again, and nothing else does.
  EXPECT_EQ(checkpoint(dir), "20");
  EXPECT_EQ(delivered(dir).size(), 30u);
  ASSERT_EQ(run(dir, pipeline("")).exit_code, 0);
  auto d = delivered(dir);
  ASSERT_EQ(d.size(), 50u);
  for (long id = 1; id <= 50; ++id) EXPECT_EQ(d[id], id >= 21 && id <= 30 ? 2 : 1) << "id " << id;
}

TEST(EngineCommitOrder, CrashAfterCheckpointResumesAfterTheBatch) {
  TempDir dir;
  // The hook runs after the checkpoint is stored and crashes on batch 3.
  auto r = run(dir, pipeline("", R"(, "crash_after": 3)"));
  EXPECT_EQ(r.exit_code, 86);
  EXPECT_EQ(checkpoint(dir), "30");
  ASSERT_EQ(run(dir, pipeline("")).exit_code, 0);
  expect_every_row_once(dir);
  // The hook saw every committed row exactly once across both runs.
  auto hooked = lines(ferry::test::read_file(dir.file("hook_rows.txt")));
  std::sort(hooked.begin(), hooked.end());
  EXPECT_EQ(hooked.size(), 50u);
  EXPECT_EQ(std::unique(hooked.begin(), hooked.end()), hooked.end());
}

TEST(EngineCommitOrder, HookAnsweringStopEndsTheRunCleanlyAfterItsBatch) {
  TempDir dir;
  auto r = run(dir, pipeline("", R"(, "stop_after": 2)"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("stopped by checkpoint hook 'audit'"), std::string::npos) << r.out;
  EXPECT_EQ(checkpoint(dir), "20");
  EXPECT_EQ(delivered(dir).size(), 20u);
}
