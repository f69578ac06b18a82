// Which commits may wait to be saved with later ones, how they merge, and
// when they are due: the merged record must stand for its batches exactly.
#include <gtest/gtest.h>

#include <chrono>

#include "state/waiting_commits.h"

namespace ferry::core {
namespace {

using std::chrono::milliseconds;
using Clock = WaitingCommits::Clock;

CommitRecord commit(const std::string& partition, const std::string& position, int64_t records,
                    const std::vector<std::string>& sinks = {"db"}, const std::string& run = "r1") {
  CommitRecord r;
  r.pipeline = "orders";
  r.partition = partition;
  r.checkpoint = Checkpoint{};
  r.checkpoint->pipeline = "orders";
  r.checkpoint->partition = partition;
  r.checkpoint->position = position;
  r.checkpoint->run_id = run;
  r.records = records;
  for (const std::string& s : sinks) r.acks.emplace_back(s, records);
  r.run_id = run;
  r.progress = RunCounts{records, records, 0, 1};
  r.may_wait_ms = 100;
  return r;
}

TEST(WaitingCommits, OnlyACommitWhoseLossMakesItsBatchComeAgainMayWait) {
  EXPECT_TRUE(WaitingCommits::may_wait(commit("p0", "1", 1)));
  CommitRecord now = commit("p0", "1", 1);
  now.may_wait_ms = 0;
  EXPECT_FALSE(WaitingCommits::may_wait(now));
  CommitRecord rejected = commit("p0", "1", 1);
  rejected.add.emplace_back();
  EXPECT_FALSE(WaitingCommits::may_wait(rejected));
  CommitRecord changed = commit("p0", "1", 1);
  changed.change.emplace_back();
  EXPECT_FALSE(WaitingCommits::may_wait(changed));
  CommitRecord fenced = commit("p0", "1", 1);
  fenced.fence = Fence{"p0", 3};
  EXPECT_FALSE(WaitingCommits::may_wait(fenced));
  CommitRecord no_checkpoint = commit("p0", "1", 1);
  no_checkpoint.checkpoint.reset();
  EXPECT_FALSE(WaitingCommits::may_wait(no_checkpoint));
}

TEST(WaitingCommits, CommitsOfAPartitionMergeIntoTheNewestPositionAndTheSums) {
  WaitingCommits w;
  const auto t = Clock::now();
  w.add(commit("p0", "10", 10, {"db", "lake"}), t);
  w.add(commit("p1", "5", 5), t);
  w.add(commit("p0", "20", 7, {"db", "lake"}), t);
  ASSERT_EQ(w.records().size(), 2u);
  const CommitRecord& p0 = w.records()[0];
  EXPECT_EQ(p0.checkpoint->position, "20");
  EXPECT_EQ(p0.records, 17);
  EXPECT_EQ(p0.batches, 2);
  ASSERT_EQ(p0.acks.size(), 2u);
  EXPECT_EQ(p0.acks[0], (std::pair<std::string, int64_t>("db", 17)));
  EXPECT_EQ(p0.acks[1], (std::pair<std::string, int64_t>("lake", 17)));
  EXPECT_EQ(p0.progress.read, 17);
  EXPECT_EQ(p0.progress.batches, 2);
  EXPECT_EQ(w.records()[1].batches, 1);
  EXPECT_TRUE(w.holds("orders", "p1"));
  EXPECT_FALSE(w.holds("orders", "p2"));
  EXPECT_FALSE(w.holds("users", "p0"));
}

// Each sink's count of batches goes up by the record's `batches`: a record
// acknowledged by other sinks, or of another run, starts a record of its own.
TEST(WaitingCommits, OtherSinksOrAnotherRunStartANewRecord) {
  WaitingCommits w;
  const auto t = Clock::now();
  w.add(commit("p0", "10", 10, {"db"}), t);
  w.add(commit("p0", "20", 10, {"db", "lake"}), t);
  w.add(commit("p0", "30", 10, {"db", "lake"}), t);
  w.add(commit("p0", "40", 10, {"db", "lake"}, "r2"), t);
  ASSERT_EQ(w.records().size(), 3u);
  EXPECT_EQ(w.records()[0].checkpoint->position, "10");
  EXPECT_EQ(w.records()[1].checkpoint->position, "30");
  EXPECT_EQ(w.records()[1].batches, 2);
  EXPECT_EQ(w.records()[2].run_id, "r2");
}

TEST(WaitingCommits, DueWhenTheOldestHasWaitedItsTimeOrTooManyWait) {
  WaitingCommits w;
  const auto t = Clock::now();
  EXPECT_FALSE(w.due(t + milliseconds(1000)));  // nothing waits
  w.add(commit("p0", "1", 1), t);
  w.add(commit("p0", "2", 1), t + milliseconds(60));
  EXPECT_FALSE(w.due(t + milliseconds(99)));
  EXPECT_TRUE(w.due(t + milliseconds(100)));  // the first one's 100 ms
  w.clear();
  EXPECT_TRUE(w.empty());
  EXPECT_FALSE(w.due(t + milliseconds(1000)));

  // Partitions in turn, each with other sinks than the last: a record each.
  for (int i = 0; i < 63; ++i) w.add(commit("p" + std::to_string(i), "1", 1), t);
  EXPECT_FALSE(w.due(t));
  w.add(commit("p63", "1", 1), t);
  EXPECT_TRUE(w.due(t));
}

}  // namespace
}  // namespace ferry::core
