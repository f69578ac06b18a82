// What the commit core keeps of one batch from its writes until it settles
// (commit_core.cpp, deferred_commits.cpp). Internal to the engine.
#pragma once

#include <optional>
#include <vector>

#include "engine/commit_core.h"

namespace ferry::core {

// One batch from its writes to its settling.
struct CommitCore::Batch {
  Delivery d;
  Accounting* accounting = nullptr;
  std::vector<SinkOutcome> outcomes;
  std::vector<size_t> committing;
  // Per sink: its commit answered PENDING; the outcome, when it was awaited
  // before the batch settles (a failure of an earlier batch drained the
  // sink); whether it must be written again because an earlier batch was
  // (so that it stays the later write).
  std::vector<bool> pending;
  std::vector<std::optional<CallResult>> awaited;
  std::vector<bool> write_again;
  std::vector<bool> landed;  // a commit of it landed (it is written again only to stay the later write)
  CommitRecord record;
  CommitIntent intent;
  bool saved = false;  // an intent is in the state store
  std::optional<SinkSet::Hold> hold;
};

}  // namespace ferry::core
