// The reader thread of a replay: pages through the DLQ in id order, plans
// where each entry resumes and which sinks it goes to, groups entries that
// can share a batch, rebuilds each group's batch from the stored records
// and puts it through the transforms from the group's first on, ahead of
// the writer, through a bounded queue (memory stays bounded by queue depth
// x batch size), as a run's reader does. Reading and parsing the DLQ cost
// as much as writing the rows again; on their own thread they overlap it.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/batch_chain.h"
#include "engine/bounded_queue.h"
#include "engine/commit_intent.h"
#include "engine/transform_chain.h"
#include "engine/worker.h"

namespace ferry::core {

// The partition name a replay's checkpoints, intents and batches use.
inline const std::string kReplayPartition = "ferry-replay";

// Entries that go the same way: same schema, same first transform, same
// sinks; at most a batch of them.
struct ReplayGroup {
  std::vector<DlqEntry> entries;
  std::string signature;
  size_t first_transform = 0;
  std::vector<size_t> targets;  // sink indexes it goes to
  std::vector<size_t> meant;    // sink indexes it is meant for (more when --sink picks one)
  std::unique_ptr<BatchChain> chain;  // the entries' records as a batch, then each transform's output
  std::vector<ReplayRow> rows;        // each entry's fate so far, rows[i] for entries[i]
  std::vector<size_t> row_of;         // row r of chain->back() carries entries[row_of[r]]
  std::vector<TransformRejects> rejects;  // rows a transform refused again
  // Selected entries it could not replay, met since the group before (the
  // writer counts them with this group, so a stopped replay counts only
  // what it got to).
  int64_t skipped_before = 0;
  std::exception_ptr error;     // the reader failed (after the groups before it)
  bool end = false;             // every selected entry was read
};

class ReplayReader {
 public:
  // Reads the entries `filter` selects, up to `last_id` (entries a replay
  // adds wait for the next one); `named` is the sink --sink picked.
  ReplayReader(Worker& worker, DlqFilter filter, int64_t last_id, std::optional<size_t> named)
      : w_(worker), filter_(std::move(filter)), last_id_(last_id), named_(named) {}

  // The thread's body: reads until the end, a stop, or an error. It counts
  // nothing: the writer counts the groups it delivers.
  void run(BoundedQueue<std::unique_ptr<ReplayGroup>>& queue);

  // The batch an interrupted replay left in doubt, built again as it was:
  // `entries` in the order it had them, meant for and sent to the sinks it
  // was. Throws Error when an entry can no longer be replayed.
  std::unique_ptr<ReplayGroup> regroup(std::vector<DlqEntry> entries, std::vector<size_t> targets,
                                       std::vector<size_t> meant);

 private:
  // Which transform a stored record resumes at and which sinks it goes to;
  // false when it cannot be replayed (said why in the log).
  bool plan(const DlqEntry& e, size_t& first_transform, std::vector<size_t>& targets, std::vector<size_t>& meant);
  // Builds the group's batch, applies the transforms, and hands it over;
  // false once the queue closed.
  bool emit(std::unique_ptr<ReplayGroup> group, BoundedQueue<std::unique_ptr<ReplayGroup>>& queue);
  // Takes out of the group the entries whose stored record cannot be read
  // back, each named in a warning; returns how many.
  size_t drop_damaged(ReplayGroup& group);
  void transform(ReplayGroup& group);

  Worker& w_;
  DlqFilter filter_;
  int64_t last_id_;
  std::optional<size_t> named_;
  int64_t carried_skipped_ = 0;  // damaged entries of a group that had no others
};

}  // namespace ferry::core
