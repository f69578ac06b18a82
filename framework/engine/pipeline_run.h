// One execution of a pipeline: opens every plugin instance, runs the
// partitions, and records the run. Engine::run drives it.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/backoff.h"
#include "engine/bounded_queue.h"
#include "engine/engine.h"
#include "engine/host_context.h"
#include "engine/plugin_instances.h"
#include "engine/rate_limiter.h"
#include "engine/sink_writer.h"

namespace ferry::core {

// Partitions handed out to the workers of one run, a group at a time: a
// group (one partition, unless an orchestrator grouped several) runs on one
// worker, its partitions one after the other.
class WorkQueue {
 public:
  explicit WorkQueue(std::vector<std::vector<std::string>> groups) : groups_(std::move(groups)) {}
  const std::vector<std::string>* next_group() {
    size_t i = next_++;
    return i < groups_.size() ? &groups_[i] : nullptr;
  }

 private:
  std::vector<std::vector<std::string>> groups_;
  std::atomic<size_t> next_{0};
};

class PipelineRun {
 public:
  PipelineRun(const PipelineDef& def, const PluginRegistry& plugins, StateStore& state,
              const EngineOptions& options);
  ~PipelineRun();
  RunSummary execute();
  // Parallel runs: take partitions from `queue` instead of the source's
  // list, and leave the run record to the caller.
  void share(WorkQueue* queue, RateLimiter* limiter) {
    work_ = queue;
    shared_limiter_ = limiter;
    record_run_ = false;
  }

 private:
  struct SinkSlot {
    const SinkDef* def;
    std::unique_ptr<SinkInstance> instance;
    std::unique_ptr<Backoff> backoff;
  };
  struct QueueItem;

  void open_instances();
  OpenParams params_for(const StageDef& stage) const;
  std::unique_ptr<HostContext> host_for(const std::string& stage);
  std::optional<std::string> resume_position(const std::string& partition);
  // The key a partition's checkpoint is stored under: the backfill window
  // (if any) and the source's partition name.
  std::string checkpoint_key(const std::string& partition) const;
  void track_schema(const FerryBatch& source_batch, const std::string& partition);
  void add_lineage(std::vector<FerryBatch>& batches, const std::string& partition);
  Labels labels(std::initializer_list<std::pair<std::string, std::string>> extra = {}) const;
  void observe_call(const char* call, const std::string& stage, std::chrono::steady_clock::time_point since);
  void run_partition(const std::string& partition);
  void read_loop(const std::string& partition, BoundedQueue<std::unique_ptr<QueueItem>>& queue);
  void process_batch(const FerryBatch& batch);
  void abort_all_sinks();
  bool policy_met(const std::vector<SinkWriteResult>& results) const;
  void commit_sink(SinkSlot& slot, const FerryBatch& batch, const FerryCheckpoint& cp,
                   SinkWriteResult& result);
  void dead_letter(const FerryBatch& batch, const std::string& stage, const std::string& sink,
                   const std::vector<RowFailure>& failures);
  void fire_backlog(const FerryBatch& batch, const std::string& stage,
                    const std::vector<RowFailure>& failures);
  void fire_checkpoint_hooks(const FerryBatch& batch, const std::string& sink,
                             const std::vector<RowFailure>& rejected);
  FerryStatus store_errant(const std::string& stage, const FerryErrantRecord& record);
  void show_progress(bool force);
  void hook_failed(const InstanceBase& hook, const char* kind, const std::string& message,
                   const std::vector<StageDef>& defs);

  // Replay (replay_run.cpp).
  void run_replay();
  struct ReplayEntry;
  void replay_group(const std::vector<ReplayEntry>& group, const std::vector<size_t>& targets);
  std::optional<int64_t> replay_position(size_t sink);
  ReplayCounts replay_counts_;

  const PipelineDef& def_;
  const PluginRegistry& plugins_;
  StateStore& state_;
  EngineOptions options_;
  std::atomic<bool> local_cancel_{false};
  std::atomic<bool> stop_requested_{false};  // a hook said stop
  bool stop_is_failure_ = false;             // ... because it failed (on_failure: stop)
  std::string run_id_;
  std::string current_partition_;
  WorkQueue* work_ = nullptr;
  RateLimiter* shared_limiter_ = nullptr;
  std::unique_ptr<RateLimiter> own_limiter_;
  bool record_run_ = true;
  std::string schema_version_;        // fingerprint of the current source schema
  std::string last_end_position_;     // checkpoint position before the next batch
  int64_t batch_seq_ = 0;             // for lineage batch ids
  std::atomic<int64_t> read_{0};
  std::atomic<int64_t> rejected_{0};
  int64_t written_ = 0;
  int64_t batches_ = 0;
  int64_t retries_ = 0;
  int64_t extra_writes_ = 0;
  std::string stop_message_;
  uint64_t partition_estimate_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_progress_;

  std::unique_ptr<SourceInstance> source_;
  std::vector<std::unique_ptr<TransformInstance>> transforms_;
  std::vector<SinkSlot> sinks_;
  std::vector<std::unique_ptr<CheckpointHookInstance>> checkpoint_hooks_;
  std::vector<std::unique_ptr<BacklogHookInstance>> backlog_hooks_;
};

}  // namespace ferry::core
