// `ferry replay`: DLQ entries go back through the commit core, in batches,
// to the sink each is addressed to (or the one named), and through the
// transforms from the one that refused them on (a row a sink refused went
// through all of them already, so it goes through none). Each entry ends
// resolved (every sink it was meant for committed it), failed_again, or
// addressed to the sinks that still lack it.
//
// The DLQ is read on a thread of its own (replay_reader.h).
//
// A replay batch's commit carries a token unique to the attempt, which a
// transactional sink stores with the rows; after a crash the replay's
// intent and that token tell entry by entry what was delivered, so nothing
// is marked resolved without being written, and nothing is written twice.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "engine/commit_core.h"
#include "engine/commit_intent.h"
#include "engine/engine.h"
#include "engine/replay_reader.h"
#include "engine/worker.h"

namespace ferry::core {

class ReplayDriver {
 public:
  ReplayDriver(Worker& worker, ReplayCounts& counts) : w_(worker), counts_(counts) {}
  void run();

 private:
  // A batch an interrupted replay left in flight, delivered again.
  struct InDoubt {
    const CommitIntent& intent;
    std::set<std::string> holders;  // transactional sinks that committed it
    HeldBy held_by;                 // what they took
  };

  // Settles the batch an interrupted replay left in flight.
  void recover();
  // ... when it went to a sink named by batch: delivers it again whole.
  void deliver_again(const CommitIntent& intent, std::vector<size_t> targets, std::vector<size_t> meant);
  // The transactional sinks of the intent that hold its batch.
  std::set<std::string> holders(const CommitIntent& intent);
  bool names_output_by_batch(const std::vector<size_t>& sinks) const;
  // Through the transforms from the group's first on, then the commit core.
  void deliver(ReplayGroup& group, const InDoubt* in_doubt = nullptr);

  Worker& w_;
  ReplayCounts& counts_;
  int64_t seq_ = 0;
};

}  // namespace ferry::core
