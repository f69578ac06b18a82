// One partition of an ordinary run (or of a backfill window): decides where
// it resumes (settling a commit a crash interrupted, refusing a state store
// that lost what a sink holds), starts its reader thread, and hands each
// batch to the commit core with what the DLQ must say about it.
#pragma once

#include <deque>
#include <optional>
#include <string>

#include "engine/batch_cuts.h"
#include "engine/batch_reader.h"
#include "engine/worker.h"

namespace ferry::core {

class PartitionRunner {
 public:
  explicit PartitionRunner(Worker& worker) : w_(worker) {}
  // With a worker's lease: the transactional sinks are fenced with its
  // token first, and every save is made only while the lease stands
  // (FencedError once another worker took it).
  void run(const std::string& partition, const Lease* lease = nullptr);

 private:
  struct Resume {
    std::optional<std::string> position;
    int64_t records = 0;        // committed by earlier runs (the checkpoint's count)
    std::deque<HeldRows> held;  // batches at the start that come again as cut before
    std::vector<BatchCut> cuts; // of those, the ones a sink named by batch may hold
    std::vector<bool> holders;  // per sink
    HeldBy held_by;             // what the holders bring to that batch's commit
  };
  // `fence`: a worker's lease, which the settling of an interrupted commit
  // saves under like any other commit.
  Resume resume(const std::string& partition, const std::string& key, const std::optional<Fence>& fence);
  // The batches in doubt at a sink named by batch, after where `r` resumes.
  void add_cuts_in_doubt(const std::string& partition, const std::string& key, Resume& r);
  Resume settle_interrupted_commit(const std::string& partition, const std::string& key, const std::string& body,
                                   const std::optional<Fence>& fence);
  void fence_sinks(const std::string& key, const Lease& lease);
  void track_schema(const FerryBatch& source_batch, const std::string& key);
  void add_lineage(BatchChain& chain);

  Worker& w_;
  std::string partition_;
  std::string schema_version_;  // fingerprint of the current source schema
  std::string last_end_;        // the checkpoint before the next batch
  uint64_t estimate_ = 0;
  bool logs_cuts_ = false;  // a sink names its output after the batch (batch_cuts.h)
};

}  // namespace ferry::core
