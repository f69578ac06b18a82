// Commits that may wait in memory to be saved with later ones
// (CommitRecord::may_wait_ms): one state transaction then stands for many
// batches, which is most of a fast pipeline's state cost. A commit waits
// only when losing it in a crash makes its batches come again and nothing
// worse: it adds and changes no DLQ entry, has no fence and carries a
// checkpoint. Waiting commits of one partition and run merge into one, so
// memory stays bounded by the partitions, not by the batches.
#pragma once

#include <chrono>
#include <vector>

#include "state/state_store.h"

namespace ferry::core {

class WaitingCommits {
 public:
  using Clock = std::chrono::steady_clock;

  // Whether `r` may wait at all (see above).
  static bool may_wait(const CommitRecord& r);

  // Takes `r` (may_wait(r) holds) into its partition's waiting commit.
  void add(const CommitRecord& r, Clock::time_point now);
  // Whether the oldest waiting commit has waited as long as it may.
  bool due(Clock::time_point now) const;
  bool empty() const { return waiting_.empty(); }
  // Whether a commit of the partition waits.
  bool holds(const std::string& pipeline, const std::string& partition) const;
  // In the order they started waiting; merged, each stands for
  // CommitRecord::batches batches.
  const std::vector<CommitRecord>& records() const { return waiting_; }
  void clear();

 private:
  std::vector<CommitRecord> waiting_;
  Clock::time_point deadline_{Clock::time_point::max()};
};

}  // namespace ferry::core
