// What every worker of one run shares: the definition, the plugins, the
// state store, the options, the run's id, its stop source, its rate limit
// and the counter that names lineage batches. A worker keeps its own plugin
// instances (worker.h), except of a sink that takes one writer at a time,
// whose one instance is here; this is the rest.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "common/log.h"
#include "engine/engine.h"
#include "engine/planned_partitions.h"
#include "engine/plugin_instances.h"
#include "engine/progress.h"
#include "engine/rate_limiter.h"
#include "engine/shared_sinks.h"
#include "engine/stop_source.h"

namespace ferry::core {

// One worker's counts; the run adds them up.
struct WorkerCounts {
  std::atomic<int64_t> read{0};      // the reader thread counts too
  std::atomic<int64_t> rejected{0};
  int64_t written = 0;
  int64_t batches = 0;
  int64_t retries = 0;
  int64_t extra_writes = 0;
  // A worker sharing the pipeline: partitions it read to the end, took
  // over from another worker, and lost to one (fenced).
  int64_t partitions = 0;
  int64_t takeovers = 0;
  int64_t fenced = 0;
};

class RunContext {
 public:
  RunContext(const PipelineDef& def, const PluginRegistry& plugins, StateStore& state, const EngineOptions& options,
             std::string run_id)
      : def(def), plugins(plugins), state(state), options(options), run_id(std::move(run_id)), stop(options.cancel),
        shared_sinks(def, plugins), started(std::chrono::steady_clock::now()), own_progress_(def.name, started),
        progress(options.progress_tracker ? *options.progress_tracker : own_progress_) {
    if (options.rate > 0) limiter = std::make_unique<RateLimiter>(options.rate);
  }
  RunContext(const RunContext&) = delete;
  RunContext& operator=(const RunContext&) = delete;

  const PipelineDef& def;
  const PluginRegistry& plugins;
  StateStore& state;
  const EngineOptions& options;
  const std::string run_id;
  StopSource stop;
  std::unique_ptr<RateLimiter> limiter;
  std::atomic<int64_t> next_batch_id{0};  // lineage: unique across workers
  PlannedPartitions partitions;           // what the workers read, planned once
  WorkerLeases* leases = nullptr;         // a worker sharing the pipeline: its leases
  PipelineLock* run_lock = nullptr;       // otherwise the run lock, asked before each commit
  SharedSinks shared_sinks;               // sinks that take one writer at a time
  const std::chrono::steady_clock::time_point started;

 private:
  Progress own_progress_;

 public:
  Progress& progress;  // what the workers read, against the estimates
  bool show_progress() const {
    return options.progress || options.progress_every.count() > 0 || options.progress_tracker != nullptr;
  }

  bool dry_run() const { return options.dry_run; }
  // The key a partition's checkpoint is stored under: the backfill window
  // (if any) and the source's partition name.
  std::string checkpoint_key(const std::string& partition) const {
    return options.window ? options.window->name + "/" + partition : partition;
  }
  OpenParams params_for(const StageDef& stage) const;
  Labels labels(std::initializer_list<std::pair<std::string, std::string>> extra = {}) const {
    Labels l{{"pipeline", def.name}};
    for (const auto& e : extra) l.push_back(e);
    return l;
  }
  LogFields fields(std::string_view partition = {}, std::string_view stage = {}) const {
    return LogFields{def.name, run_id, partition, stage};
  }
  void count(const std::string& metric, const Labels& labels, double delta = 1) const {
    if (options.metrics) options.metrics->add(metric, labels, delta);
  }
  void observe_call(const char* call, const std::string& stage, std::chrono::steady_clock::time_point since) const {
    if (!options.metrics) return;
    options.metrics->observe("ferry_plugin_call_seconds", labels({{"stage", stage}, {"call", call}}),
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count());
  }
};

}  // namespace ferry::core
