// `ferry replay`: DLQ entries go back through the commit core, in batches,
// to the sink each is addressed to (or the one named), and through the
// transforms from the one that refused them on (a row a sink refused went
// through all of them already, so it goes through none). Each entry ends
// resolved (every sink it was meant for committed it), failed_again, or
// addressed to the sinks that still lack it.
//
// A replay batch's commit carries a token unique to the attempt, which a
// transactional sink stores with the rows; after a crash the replay's
// intent and that token tell entry by entry what was delivered, so nothing
// is marked resolved without being written, and nothing is written twice.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/worker.h"

namespace ferry::core {

class ReplayDriver {
 public:
  ReplayDriver(Worker& worker, ReplayCounts& counts) : w_(worker), counts_(counts) {}
  void run();

 private:
  struct Group {
    std::vector<DlqEntry> entries;
    std::string signature;
    size_t first_transform = 0;
    std::vector<size_t> targets;  // sink indexes it goes to
    std::vector<size_t> meant;    // sink indexes it is meant for (more when --sink picks one)
  };
  // Settles the batch an interrupted replay left in flight.
  void recover();
  void deliver(const Group& group);
  // Which transform a stored record resumes at and which sinks it goes to;
  // false when it cannot be replayed (said why in the log).
  bool plan(const DlqEntry& e, size_t& first_transform, std::vector<size_t>& targets, std::vector<size_t>& meant);

  Worker& w_;
  ReplayCounts& counts_;
  std::optional<size_t> named_;
  int64_t seq_ = 0;
};

}  // namespace ferry::core
