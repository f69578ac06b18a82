// The commit protocol, once, for ordinary runs, backfill windows and
// replays. For one batch:
//
//   write to every addressed sink (retries, bisection) -> commit policy ->
//   the driver accounts for every row (what the DLQ must say) -> the commit
//   intent, when a crash could leave doubt -> commit each acknowledging sink
//   (transactional ones store `to` with the data) -> finish: checkpoint,
//   acknowledgements and DLQ changes in one state transaction -> hooks.
//
// On any exit before the commits, every sink holding staged rows is
// aborted. A commit answered by RETRY is retried after aborting and
// writing the batch again, and its outcome re-accounted, so the DLQ holds
// the rows of the attempt that committed; a transactional sink whose
// commit reply was lost is asked whether it holds `to` before anything is
// written twice.
//
// A sink that acknowledges later (ABI 1.10, FERRY_CAP_DEFERRED_COMMIT) may
// answer a commit "pending": begin() then returns with the batch in flight,
// and settle_oldest() finishes it once the sink reported its outcome. Batches
// settle in the order they began, so the checkpoint never passes a batch a
// sink has not made durable; a pending commit that failed is written again,
// and so is every later batch that sink took, so the last write of a key
// is still the newest.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/commit_intent.h"
#include "engine/hook_dispatcher.h"
#include "engine/run_context.h"
#include "engine/sink_set.h"
#include "engine/sink_writer.h"

namespace ferry::core {

// How one sink ended a batch.
struct SinkOutcome {
  enum class State {
    NotAddressed,  // a replay not meant for it
    Holds,         // it committed this batch before a crash
    Committed,
    Failed,        // not acknowledged; the commit policy did without it
  };
  State state = State::NotAddressed;
  std::vector<RowFailure> rejected;  // Committed: rows it refused; Failed: every row
  std::string failure;               // Failed: why
  uint64_t retries = 0;
  uint64_t extra_writes = 0;
};

// The driver's part of a commit: what the DLQ must say once the batch
// commits, and what the intent must remember to settle it after a crash.
class Accounting {
 public:
  virtual ~Accounting() = default;
  // Called once the sinks wrote the batch, and again when a retried commit
  // changed a sink's outcome (it starts from an empty record each time).
  virtual void account(const std::vector<SinkOutcome>& outcomes, CommitRecord& record, CommitIntent& intent) = 0;
};

// What the sinks that hold a batch already (a crash cut its commit short)
// bring to its commit when it is delivered to the others: their
// acknowledgements and the rows they refused, counted and stored then,
// once, with the rest of the batch.
struct HeldBy {
  std::vector<std::string> sinks;
  std::vector<int64_t> accepted;
  std::vector<DlqEntry> add;
};

struct Delivery {
  const FerryBatch* batch = nullptr;
  std::string partition;  // the checkpoint key
  IntentKind kind = IntentKind::Run;
  std::optional<std::string> from;  // the checkpoint before it
  std::string to;                   // what each committing sink stores
  bool store_checkpoint = true;     // move the state store's checkpoint to `to`
  bool apply_policy = true;         // a replay commits each addressed sink on its own
  std::string schema_version;
  int64_t source_rows = 0;
  // Per sink: Holds (it has the batch already), NotAddressed, or anything
  // else for "deliver".
  std::vector<SinkOutcome::State> start;
  const HeldBy* held_by = nullptr;
  // Delivered before by a run that was interrupted (a commit intent, or a
  // cut saved for a sink named by batch): a sink may hold it already.
  bool in_doubt = false;
  // A worker's lease of the partition: every save of the batch (the
  // intent, each sink's checkpoint, the state's) happens only while the
  // lease has this token, and throws FencedError otherwise.
  std::optional<Fence> fence;
};

// Whether batches of this run may stay in flight: some sink acknowledges
// later, and nothing needs the one-batch-at-a-time intent protocol (no
// transactional or single-writer sink, no dry run). Decided once per run.
bool run_defers_commits(const RunContext& run);
// How long a batch's commit may wait in memory to be saved in the state
// store with later ones (state.group_commit_ms), or 0. Only where a crash
// that drops it makes its batches come again and nothing worse: every sink
// idempotent and none transactional or single-writer, no checkpoint hook
// (it would hear of a checkpoint not yet saved), no lease or run lock that
// can be lost (a commit saved after the loss could undo another run's), no
// dry run. The source hears of a checkpoint once it is saved.
// Decided once per run.
int64_t run_commit_wait_ms(const RunContext& run);

class CommitCore {
 public:
  CommitCore(RunContext& run, SinkSet& sinks, HookDispatcher& hooks, WorkerCounts& counts);
  ~CommitCore();

  // Delivers a batch and returns once it is settled. Throws when the commit
  // policy is not met (nothing of the batch commits) or a sink fails
  // fatally. Nothing may be in flight.
  std::vector<SinkOutcome> deliver(const Delivery& d, Accounting& accounting);

  // run_defers_commits(), as this core's run decided it.
  bool may_defer() const { return may_defer_; }
  // run_commit_wait_ms(), as this core's run decided it.
  int64_t may_wait_ms() const { return may_wait_ms_; }
  // Delivers a batch up to its commits and leaves it in flight: `d.batch`
  // and `accounting` must live until settle_oldest() settled it. Throws as
  // deliver() does; the batches before it stay in flight.
  void begin(const Delivery& d, Accounting& accounting);
  size_t in_flight() const { return in_flight_.size(); }
  // Whether the oldest batch in flight settles without waiting for a sink.
  bool oldest_ready() const;
  std::vector<SinkOutcome> settle_oldest();
  // Waits for every pending commit and forgets the batches in flight (none
  // is checkpointed): for a partition that failed or stops.
  void abandon() noexcept;

 private:
  struct Batch;
  std::unique_ptr<Batch> start(const Delivery& d, Accounting& accounting, bool defer);
  std::vector<SinkOutcome> settle(Batch& b);
  std::vector<SinkOutcome> write_all(const Delivery& d);
  // Commits one sink's batch, writing it again when a commit fails. Whenever
  // that changes the sink's outcome (other rows refused, or the write failed
  // as a whole and the sink is Failed), `rewritten` runs before anything
  // else happens, so the intent saved for a crash describes the attempt that
  // may commit, not the first one. `first` is the outcome of a commit made
  // already (a pending one, awaited); with `defer`, the sink may leave the
  // commit pending, and b.pending says so.
  void commit_one(size_t sink, Batch& b, const std::function<void()>& rewritten, std::optional<CallResult> first,
                  bool defer);
  // Writes the batch to one sink again; false when the write failed and the
  // sink is Failed for it. A batch that landed already (written again only
  // to stay the later write) keeps out only the rows both writes refused,
  // and throws when it cannot be written.
  bool write_again(size_t sink, Batch& b, const std::function<void()>& rewritten);
  // Awaits the pending commits of one sink in the other batches in flight,
  // keeping their outcomes for when they settle.
  void await_others(size_t sink, const Batch& b);
  // Awaits a batch's pending commits, for nothing (it will not settle).
  void drain(Batch& b) noexcept;
  void account(Batch& b);
  bool intent_needed(const Batch& b) const;
  bool policy_holds(const Batch& b) const;
  Error policy_failure(const Batch& b) const;
  void re_account(Batch& b);
  // Settles a batch's pending commit in one sink.
  void settle_pending(size_t sink, Batch& b);
  // Throws when `slot` is a sink named by batch that may hold the batch
  // already and did not write it again (`r`: its write; null: it is down).
  void refuse_unless_rewritten(const SinkSlot& slot, const Delivery& d, const SinkWriteResult* r,
                               const char* may_hold) const;
  void abort_staged(const std::vector<SinkOutcome>& outcomes, const Delivery& d) noexcept;
  // Throws when the run's lock (or a worker's share of it) was lost: another
  // run may hold the pipeline, so nothing more of this batch may be written.
  void check_lock() const;

  RunContext& run_;
  SinkSet& sinks_;
  HookDispatcher& hooks_;
  WorkerCounts& counts_;
  const bool may_defer_;
  const int64_t may_wait_ms_;
  std::deque<std::unique_ptr<Batch>> in_flight_;
};

}  // namespace ferry::core
