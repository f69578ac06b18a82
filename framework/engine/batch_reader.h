// The reader thread of a partition: runs the source and the transforms
// ahead of the writer, through a bounded queue (memory stays bounded by
// queue depth x batch size). It honours the rate limit and pauses, retries
// a source's RETRY with backoff, and collects the errant records reported
// while it produces a batch so they commit with that batch.
//
// After a crash left a batch committed in some sinks only, the partition
// is read again from the checkpoint before it, and the first `rows` rows
// read are that batch: the reader hands them over as one item ending where
// that batch ended (cutting or joining source batches if the source
// batches differently now), so the writer skips the sinks that hold it.
// Batches in doubt at a sink named by batch (batch_cuts.h) are handed over
// so too, each cut as before, in order.
#pragma once

#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/batch_chain.h"
#include "engine/bounded_queue.h"
#include "engine/transform_chain.h"
#include "engine/worker.h"

namespace ferry::core {

struct ReadItem {
  std::unique_ptr<BatchChain> chain;  // the source batch, then each transform's output
  std::vector<TransformRejects> rejects;
  std::vector<DlqEntry> errants;      // reported by the source or a transform while reading it
  int64_t source_rows = 0;
  bool held = false;                  // the batch a crash left committed in some sinks
  // The saved end of the cut (batch_cuts.h) this batch comes again as. It
  // may end elsewhere now (where the source batch holding its last row
  // ends), and the cut is then saved with its new end in place of the old.
  std::optional<std::string> recut_of;
  std::exception_ptr error;           // the reader failed (after the items before it)
  bool end = false;                   // the partition is done
};

// Rows at the start of a partition's re-read that must come again as one
// batch: the one some sinks hold (`intent`), or one cut so before.
struct HeldRows {
  int64_t rows = 0;
  std::string end_position;  // where those rows end
  bool intent = false;       // the batch of the commit intent (ReadItem::held)
  // A batch cut before (batch_cuts.h): the positions of its first and last
  // rows, which the rows read again must have, or the source changed.
  std::optional<std::pair<std::string, std::string>> first_last;
  std::optional<std::string> cut_to;  // a batch cut before: the end saved with its cut
};

class BatchReader {
 public:
  BatchReader(Worker& worker, const std::string& partition, std::deque<HeldRows> held)
      : w_(worker), partition_(partition), held_(std::move(held)) {
    next_held();
  }
  ~BatchReader() {
    for (FerryBatch& b : gathered_)
      if (b.release) b.release(&b);
  }

  // The thread's body: reads until the end, a stop, or an error.
  void run(BoundedQueue<std::unique_ptr<ReadItem>>& queue);

  // From the committing thread: `position` is the partition's checkpoint
  // now. The reader passes it to the source before its next read (ABI 1.8),
  // on its own thread as the ABI's one-thread-at-a-time rule asks.
  void acknowledge(std::string position) {
    std::lock_guard<std::mutex> lock(acked_mu_);
    acked_ = std::move(position);
  }

 private:
  // Produces the items of one source batch: none while it gathers the held
  // rows, the held batch once they are complete, and the rest.
  bool emit(const FerryBatch& batch, std::vector<DlqEntry> errants, BoundedQueue<std::unique_ptr<ReadItem>>& queue);
  bool emit_held(BoundedQueue<std::unique_ptr<ReadItem>>& queue);
  // Drops held batches without rows (their errant records go with the next).
  void next_held();
  // `done`: the held rows this batch comes again as, or null.
  bool emit_one(const FerryBatch& batch, std::vector<DlqEntry> errants, const HeldRows* done,
                BoundedQueue<std::unique_ptr<ReadItem>>& queue);
  // Hands the newest acknowledged position, if any, to the source.
  void pass_acknowledgement();

  Worker& w_;
  std::string partition_;
  std::deque<HeldRows> held_;  // front: the batch being gathered
  std::optional<std::string> last_end_;  // end position of the last batch passed on
  std::vector<FerryBatch> gathered_;      // the held rows read so far (owned)
  std::vector<DlqEntry> gathered_errants_;
  std::mutex acked_mu_;
  std::optional<std::string> acked_;  // guarded by acked_mu_
};

}  // namespace ferry::core
