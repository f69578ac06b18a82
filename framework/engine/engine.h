// Running a pipeline: the coordinator of a run. It takes the pipeline's run
// lock, records the run, plans the partitions over workers (worker.h), and
// adds up what they did. Each worker reads its partitions
// (partition_runner.h, batch_reader.h) or the DLQ (replay_driver.h) and
// hands every batch to the one commit protocol (commit_core.h):
//
//   read -> transform -> write to each sink -> commit policy decides ->
//   commit intent -> commit each acknowledging sink (transactional sinks
//   store the checkpoint with the data) -> checkpoint, DLQ entries and acks
//   in one state transaction -> hooks -> release
//
// A crash at any point leaves either the old checkpoint (the batch comes
// again, to exactly the sinks that lack it) or the new one.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <set>
#include <string>

#include "metrics/metrics.h"
#include "pipeline/definition.h"
#include "plugin/registry.h"
#include "state/state_store.h"

namespace ferry::core {

class Progress;
class RunContext;

// `ferry replay`: re-deliver dead-letter records instead of reading the source.
struct ReplayOptions {
  DlqFilter filter;                 // pipeline is filled in by the engine
  std::optional<std::string> sink;  // deliver to this sink instead of the one each record failed on
};

// Why this replay may not run, or nullopt: it delivers to a sink of the
// pipeline; it selects by status, and a resolved entry is in its sinks
// already (delivering it again writes it twice), and a discarded one stays
// discarded.
std::optional<std::string> replay_refused(const PipelineDef& def, const ReplayOptions& ro);

// The DLQ entries of a replay batch an interrupted replay left in doubt (a
// sink may hold them): not to be discarded until the next replay settled
// them, or that sink would keep records the DLQ calls discarded.
std::set<int64_t> replay_entries_in_doubt(StateStore& state, const std::string& pipeline);


// One window of a backfill: passed to every plugin instance, and a prefix
// of every checkpoint key, so each window resumes on its own.
struct WindowOptions {
  std::string name;  // "2026-01-01"
  std::string data_date;
  std::string start;
  std::string end;
};

struct EngineOptions {
  const std::atomic<bool>* cancel = nullptr;  // set by SIGINT/SIGTERM
  const std::atomic<bool>* paused = nullptr;  // readers wait while set (admin API)
  bool progress = false;                      // progress on the terminal's status line
  std::chrono::milliseconds progress_every{0};  // else a progress log line this often; 0 = none
  Progress* progress_tracker = nullptr;         // also record progress here (the admin API shows it)
  bool dry_run = false;                       // read and transform; write nothing
  double rate = 0;                            // records/s over all workers; 0 = unlimited
  std::optional<uint32_t> parallelism;        // overrides the definition's
  Metrics* metrics = nullptr;                 // where to count (may be null)
  std::string kind = "run";
  std::optional<ReplayOptions> replay;
  std::optional<WindowOptions> window;
  std::string run_id;                         // empty: a new one
  bool lock_held = false;                     // the caller holds the pipeline's run lock
  PipelineLock* held_lock = nullptr;          // that lock, asked before each commit
  // With a state store that keeps leases (PostgreSQL), a run is one of the
  // workers sharing the pipeline; a lease not renewed for this long is
  // free for another worker to take.
  std::chrono::milliseconds lease_ttl{30000};
  bool share = true;  // false: hold the pipeline alone even where it could be shared
};

struct ReplayCounts {
  int64_t selected = 0;
  int64_t resolved = 0;
  int64_t failed_again = 0;
  int64_t skipped = 0;  // raw records the source could not parse: not replayable
  int64_t already_done = 0;  // committed by an interrupted replay; only marked resolved
};

struct RunSummary {
  std::string run_id;
  RunStatus status = RunStatus::Succeeded;
  RunCounts counts;
  int64_t retries = 0;
  int64_t extra_writes = 0;
  double seconds = 0;
  std::string message;  // why it stopped, for failures and stops
  ReplayCounts replay;
  // A worker sharing the pipeline (none: the run held it alone).
  struct Shared {
    int64_t worker_id = 0;
    bool started_round = false;
    int64_t partitions = 0;
    int64_t takeovers = 0;
    int64_t fenced = 0;
  };
  std::optional<Shared> shared;
};

class Engine {
 public:
  Engine(const PipelineDef& def, const PluginRegistry& plugins, StateStore& state);
  ~Engine();
  // Runs until every partition is done, a stop, or a fatal error (thrown
  // after the run is recorded as failed).
  RunSummary run(const EngineOptions& options);

 private:
  const PipelineDef& def_;
  const PluginRegistry& plugins_;
  StateStore& state_;
};

std::string new_run_id();
// Workers for `parallelism` (0 = auto) given the partitions and the machine,
// each keeping up to `batches_per_worker` batches of `max_batch_bytes`.
uint32_t plan_workers(uint32_t parallelism, size_t partitions, uint64_t max_batch_bytes, uint32_t batches_per_worker);
// How many batches a worker of this run keeps at most.
uint32_t batches_per_worker(const RunContext& run);
std::string format_summary(const std::string& pipeline, const RunSummary& s);

}  // namespace ferry::core
