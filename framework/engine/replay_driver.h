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

#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/replay_reader.h"
#include "engine/worker.h"

namespace ferry::core {

class ReplayDriver {
 public:
  ReplayDriver(Worker& worker, ReplayCounts& counts) : w_(worker), counts_(counts) {}
  void run();

 private:
  // Settles the batch an interrupted replay left in flight.
  void recover();
  // Through the transforms from the group's first on, then the commit core.
  void deliver(ReplayGroup& group);

  Worker& w_;
  ReplayCounts& counts_;
  int64_t seq_ = 0;
};

}  // namespace ferry::core
