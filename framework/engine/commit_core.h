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
#pragma once

#include <functional>
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
  // A worker's lease of the partition: every save of the batch (the
  // intent, each sink's checkpoint, the state's) happens only while the
  // lease has this token, and throws FencedError otherwise.
  std::optional<Fence> fence;
};

class CommitCore {
 public:
  CommitCore(RunContext& run, SinkSet& sinks, HookDispatcher& hooks, WorkerCounts& counts)
      : run_(run), sinks_(sinks), hooks_(hooks), counts_(counts) {}

  // Throws when the commit policy is not met (nothing of the batch commits)
  // or a sink fails fatally.
  std::vector<SinkOutcome> deliver(const Delivery& d, Accounting& accounting);

 private:
  std::vector<SinkOutcome> write_all(const Delivery& d);
  // Commits one sink's batch, writing it again when a commit fails. Whenever
  // that changes the sink's outcome (other rows refused, or the write failed
  // as a whole and the sink is Failed), `rewritten` runs before anything
  // else happens, so the intent saved for a crash describes the attempt that
  // may commit, not the first one.
  void commit_one(size_t sink, const Delivery& d, SinkOutcome& outcome, const std::function<void()>& rewritten);
  void abort_staged(const std::vector<SinkOutcome>& outcomes, const Delivery& d) noexcept;
  // Throws when the run's lock (or a worker's share of it) was lost: another
  // run may hold the pipeline, so nothing more of this batch may be written.
  void check_lock() const;

  RunContext& run_;
  SinkSet& sinks_;
  HookDispatcher& hooks_;
  WorkerCounts& counts_;
};

}  // namespace ferry::core
