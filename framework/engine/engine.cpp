#include "engine/engine.h"

#include <unistd.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <map>
#include <random>
#include <thread>

#include "common/log.h"
#include "engine/leased_partitions.h"
#include "engine/partition_runner.h"
#include "engine/replay_driver.h"
#include "engine/run_context.h"
#include "engine/worker.h"

namespace ferry::core {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t physical_memory() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(size) : 0;
}

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

struct PartitionPlan {
  std::vector<std::vector<std::string>> groups;
  uint32_t workers = 1;
};

// Lists the partitions with a short-lived source instance, then sizes the
// pool: the orchestrator's plan when the pipeline has one, else plan_workers.
// Errant records the source reports while listing are kept like any other.
// Records the source expects in a partition; 0 when it cannot say.
uint64_t estimated_records(SourceInstance& source, const std::string& partition) {
  const auto e = source.estimate(partition);
  return e && e->first != UINT64_MAX ? e->first : 0;
}

// A short-lived source instance to plan with. Errant records it reports
// while listing are kept like any other.
class PlanningSource {
 public:
  explicit PlanningSource(RunContext& run) : errants_(run) {
    auto host = std::make_unique<HostContext>(run.def.name, "source", &run.stop, run.options.metrics);
    host->set_errant_handler([this](const FerryErrantRecord& r) { return errants_.report("source", "", r, counts_); });
    source_ = std::make_unique<SourceInstance>(run.plugins.require(run.def.source.plugin), std::move(host),
                                               run.params_for(run.def.source));
  }
  SourceInstance& source() { return *source_; }
  // The partitions, planned (and stored) once for the run.
  std::vector<std::string> list(RunContext& run) {
    std::vector<std::string> names = run.partitions.list(run, *source_);
    if (run.show_progress())
      for (const std::string& n : names) run.progress.expect(n, estimated_records(*source_, n));
    return names;
  }

 private:
  ErrantRecords errants_;
  WorkerCounts counts_;
  std::unique_ptr<SourceInstance> source_;
};

PartitionPlan plan_partitions(RunContext& run, uint32_t parallelism) {
  const PipelineDef& def = run.def;
  PlanningSource planning(run);
  SourceInstance& source = planning.source();
  std::vector<std::string> names = planning.list(run);
  PartitionPlan plan;
  plan.workers = plan_workers(parallelism, names.size(), def.max_batch_bytes, batches_per_worker(run));
  if (!def.orchestrator) {
    for (std::string& n : names) plan.groups.push_back({std::move(n)});
    return plan;
  }

  std::vector<FerryPartitionInfo> infos;
  for (const std::string& n : names) {
    FerryPartitionInfo info{};
    info.name = FerryBytes{n.data(), n.size()};
    info.estimated_records = UINT64_MAX;
    info.estimated_bytes = UINT64_MAX;
    if (auto e = source.estimate(n)) {
      info.estimated_records = e->first;
      info.estimated_bytes = e->second;
    }
    infos.push_back(info);
  }
  FerryMachineFacts machine{};
  machine.struct_size = sizeof machine;
  machine.cores = std::max(1u, std::thread::hardware_concurrency());
  machine.memory_bytes = physical_memory();
  machine.max_batch_bytes = def.max_batch_bytes;
  machine.queue_depth = def.queue_depth;
  machine.requested_parallelism = parallelism;
  auto orch_host = std::make_unique<HostContext>(def.name, def.orchestrator->name, &run.stop, run.options.metrics);
  OrchestratorInstance orchestrator(run.plugins.require(def.orchestrator->plugin), std::move(orch_host),
                                    run.params_for(*def.orchestrator));
  auto [workers, groups] = orchestrator.plan(machine, infos);
  if (workers > 0) plan.workers = static_cast<uint32_t>(std::min<size_t>(workers, std::max<size_t>(1, names.size())));
  if (groups.empty()) {
    for (std::string& n : names) plan.groups.push_back({std::move(n)});
  } else {
    std::map<uint32_t, std::vector<std::string>> by_group;
    for (size_t i = 0; i < names.size(); ++i) by_group[groups[i]].push_back(names[i]);
    for (auto& [g, list] : by_group) plan.groups.push_back(std::move(list));
  }
  log_info("orchestrator '" + def.orchestrator->name + "' planned " + std::to_string(plan.workers) +
               " worker(s) for " + std::to_string(plan.groups.size()) + " group(s)",
           run.fields());
  return plan;
}

// Joins every thread it was given, also when the scope is left by an
// exception: a joinable std::thread must never be destroyed.
class ThreadGroup {
 public:
  ~ThreadGroup() { join(); }
  template <typename F>
  void start(F&& f) {
    threads_.emplace_back(std::forward<F>(f));
  }
  void join() {
    for (std::thread& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  std::vector<std::thread> threads_;
};

// Whether this run may share the pipeline with other workers, when the
// state store keeps leases: an ordinary run, whose every transactional
// sink can be fenced (else a paused worker could still commit). An
// orchestrator's groups are a one-process plan: such a run holds the
// pipeline alone.
bool may_share(const EngineOptions& o, const PipelineDef& def, const PluginRegistry& plugins) {
  if (!o.share || o.dry_run || o.lock_held || o.replay || o.window || o.kind != "run" || def.orchestrator)
    return false;
  for (const SinkDef& s : def.sinks) {
    const LoadedPlugin& p = plugins.require(s.plugin);
    if (p.has_capability(FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL) && !p.sink_can_fence()) return false;
    // One writer at a time cannot be promised across processes.
    if (p.sink_single_writer()) return false;
  }
  return true;
}

void add(RunSummary& total, const WorkerCounts& c) {
  total.counts.read += c.read.load();
  total.counts.written += c.written;
  total.counts.rejected += c.rejected.load();
  total.counts.batches += c.batches;
  total.retries += c.retries;
  total.extra_writes += c.extra_writes;
  if (total.shared) {
    total.shared->partitions += c.partitions;
    total.shared->takeovers += c.takeovers;
    total.shared->fenced += c.fenced;
  }
}

}  // namespace

OpenParams RunContext::params_for(const StageDef& stage) const {
  OpenParams p;
  p.config_json = boost::json::serialize(stage.config);
  p.pipeline = def.name;
  p.name = stage.name;
  p.run_id = run_id;
  p.base_dir = def.base_dir.string();
  p.max_batch_records = def.max_batch_records;
  p.max_batch_bytes = def.max_batch_bytes;
  if (options.window) {
    p.data_date = options.window->data_date;
    p.window_start = options.window->start;
    p.window_end = options.window->end;
  }
  return p;
}

uint32_t batches_per_worker(const RunContext& run) {
  // The reader's queue, the batch being read and the one being written;
  // with a sink that acknowledges later, up to queue_depth + 1 more wait
  // for it (partition_runner.cpp).
  const uint32_t queue = run.def.queue_depth;
  return run_defers_commits(run) ? 2 * queue + 3 : queue + 2;
}

uint32_t plan_workers(uint32_t parallelism, size_t partitions, uint64_t max_batch_bytes, uint32_t batches_per_worker) {
  if (partitions == 0) return 1;
  if (parallelism > 0) return static_cast<uint32_t>(std::min<size_t>(parallelism, partitions));
  // auto: one worker per core, no more than the partitions, and no more than
  // a quarter of the memory can hold in flight.
  uint32_t cores = std::max(1u, std::thread::hardware_concurrency());
  uint64_t per_worker = std::max<uint64_t>(1, max_batch_bytes) * batches_per_worker;
  uint64_t memory = physical_memory();
  uint64_t by_memory = memory ? std::max<uint64_t>(1, memory / 4 / per_worker) : cores;
  return static_cast<uint32_t>(std::min<uint64_t>({cores, partitions, by_memory}));
}

Engine::Engine(const PipelineDef& def, const PluginRegistry& plugins, StateStore& state)
    : def_(def), plugins_(plugins), state_(state) {}

Engine::~Engine() = default;

RunSummary Engine::run(const EngineOptions& options) {
  RunContext run(def_, plugins_, state_, options, options.run_id.empty() ? new_run_id() : options.run_id);
  // One run, replay or backfill at a time changes a pipeline's state, except
  // that with a state store that keeps leases, ordinary runs share it as
  // workers (leased_partitions.h). A dry run writes nothing, so it may look
  // while another runs.
  std::unique_ptr<PipelineLock> lock;
  std::unique_ptr<WorkerLeases> leases;
  if (may_share(options, def_, plugins_))
    leases = state_.join_workers(def_.name, this_process(options.kind), options.lease_ttl);
  if (leases) {
    run.leases = leases.get();
    leases->set_run(run.run_id);
    leases->fail_dead_runs("the worker running it ended without recording an end (killed, or it crashed)");
  } else if (!options.dry_run && !options.lock_held) {
    lock = state_.lock_pipeline(def_.name, this_process(options.kind));
    state_.fail_unfinished_runs(def_.name, unfinished_run_message(*lock));
    run.run_lock = lock.get();
  } else if (options.held_lock) {
    run.run_lock = options.held_lock;
  }

  // The run's shared sink instances close before the pipeline is let go,
  // whichever way this ends.
  struct CloseShared {
    SharedSinks& sinks;
    ~CloseShared() { sinks.close(); }
  } close_shared{run.shared_sinks};

  // Plan before the run record: a source that cannot list its partitions
  // fails the command, as a bad definition does.
  const uint32_t parallelism = options.parallelism.value_or(def_.parallelism);
  std::optional<PartitionPlan> plan;
  uint32_t workers = 1;
  if (leases) {
    // The worker that starts a round plans it; the others read what it
    // planned, so every worker reads the same partitions.
    const std::vector<std::string> names = leases->join_round([&] { return PlanningSource(run).list(run); });
    if (!leases->started_round()) run.partitions.adopt(run, names);
    workers = plan_workers(parallelism, names.size(), def_.max_batch_bytes, batches_per_worker(run));
    log_info(std::string("worker ") + std::to_string(leases->worker_id()) +
                 (leases->started_round() ? " started a round of " : " joined a round of ") +
                 std::to_string(names.size()) + " partition(s), reading with " + std::to_string(workers) +
                 " thread(s)",
             run.fields());
  } else if (!options.replay && parallelism != 1) {
    plan = plan_partitions(run, parallelism);
    workers = std::min<uint32_t>(plan->workers, static_cast<uint32_t>(std::max<size_t>(1, plan->groups.size())));
    size_t partitions = 0;
    for (const auto& g : plan->groups) partitions += g.size();
    log_info("running " + std::to_string(partitions) + " partition(s) on " + std::to_string(workers) + " worker(s)",
             run.fields());
  }

  Run record;
  record.id = run.run_id;
  record.pipeline = def_.name;
  record.kind = options.kind;
  if (!options.dry_run) state_.begin_run(record);
  std::optional<ProgressReporter> reporter;
  if (run.show_progress()) reporter.emplace(run.progress, options.progress, options.progress_every, run.fields());

  RunSummary total;
  total.run_id = run.run_id;
  if (leases) {
    total.shared.emplace();
    total.shared->worker_id = leases->worker_id();
    total.shared->started_round = leases->started_round();
  }
  std::vector<std::unique_ptr<WorkerCounts>> counts;
  std::vector<std::exception_ptr> errors(workers);
  for (uint32_t w = 0; w < workers; ++w) counts.push_back(std::make_unique<WorkerCounts>());
  std::optional<WorkQueue> queue;
  if (plan) queue.emplace(std::move(plan->groups));

  auto work = [&](uint32_t w) {
    try {
      Worker worker(run, !options.replay);
      // Counted into the worker's own object, then handed over, so a worker
      // that fails half-way still reports what it did.
      struct Keep {
        Worker& worker;
        WorkerCounts& into;
        ~Keep() {
          into.read += worker.counts.read.load();
          into.rejected += worker.counts.rejected.load();
          into.written += worker.counts.written;
          into.batches += worker.counts.batches;
          into.retries += worker.counts.retries;
          into.extra_writes += worker.counts.extra_writes;
          into.partitions += worker.counts.partitions;
          into.takeovers += worker.counts.takeovers;
          into.fenced += worker.counts.fenced;
        }
      } keep{worker, *counts[w]};
      if (options.replay) {
        ReplayDriver(worker, total.replay).run();
        return;
      }
      PartitionRunner runner(worker);
      if (run.leases) {
        run_leased_partitions(worker, runner, *run.leases);
        return;
      }
      if (!queue) {
        const std::vector<std::string> partitions = run.partitions.list(run, *worker.source);
        if (run.show_progress())
          for (const std::string& n : partitions) run.progress.expect(n, estimated_records(*worker.source, n));
        for (const std::string& partition : partitions) {
          if (run.stop.stopping()) break;
          runner.run(partition);
        }
        return;
      }
      while (!run.stop.stopping()) {
        const std::vector<std::string>* group = queue->next_group();
        if (!group) break;
        for (const std::string& partition : *group) {
          if (run.stop.stopping()) break;
          runner.run(partition);
        }
      }
    } catch (const CancelledError&) {
      // Interrupted during a retry wait: nothing of the batch was committed.
    } catch (...) {
      errors[w] = std::current_exception();
      run.stop.abort();  // the other workers stop after their batch
    }
  };
  if (workers == 1) {
    work(0);
  } else {
    ThreadGroup threads;
    for (uint32_t w = 0; w < workers; ++w) threads.start([&, w] { work(w); });
  }
  run.shared_sinks.close();

  reporter.reset();
  for (const auto& c : counts) add(total, *c);
  total.seconds = std::chrono::duration<double>(Clock::now() - run.started).count();
  std::exception_ptr first_error;
  for (const auto& e : errors)
    if (e && !first_error) first_error = e;
  if (first_error) {
    total.status = RunStatus::Failed;
    try {
      std::rethrow_exception(first_error);
    } catch (const std::exception& e) {
      total.message = e.what();
    }
  } else if (run.stop.requested()) {
    total.status = run.stop.failure() ? RunStatus::Failed : RunStatus::Stopped;
    total.message = run.stop.reason();
  } else if (run.stop.interrupted()) {
    total.status = RunStatus::Stopped;
    total.message = "interrupted";
  } else if (options.replay && (total.replay.failed_again > 0 || total.replay.skipped > 0)) {
    // It ran to its end, but did not deliver what it was asked to: records
    // failed again, or could not be replayed at all (they stay pending).
    total.status = RunStatus::Incomplete;
  }
  Logger::instance().clear_status_line();
  if (!options.dry_run) {
    try {
      // The run record is shown by `ferry status` and the admin API: no
      // secret of the pipeline may reach it.
      state_.end_run(total.run_id, total.status, total.counts, Logger::instance().redact(total.message));
    } catch (const std::exception& e) {
      log_error(std::string("could not record the end of the run: ") + e.what(), run.fields());
    }
  }
  if (first_error) std::rethrow_exception(first_error);
  return total;
}

std::string new_run_id() {
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd());
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

std::string format_summary(const std::string& pipeline, const RunSummary& s) {
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.2f s, %.0f records/s", s.seconds,
                s.seconds > 0 ? static_cast<double>(s.counts.read) / s.seconds : 0.0);
  std::string out = pipeline + ": " + to_string(s.status) + " — read " + std::to_string(s.counts.read) +
                    ", written " + std::to_string(s.counts.written) + ", rejected " +
                    std::to_string(s.counts.rejected) + ", batches " + std::to_string(s.counts.batches) +
                    ", " + rate;
  if (s.retries) out += ", retries " + std::to_string(s.retries);
  if (s.shared) {
    out += "; worker " + std::to_string(s.shared->worker_id) + ": " + std::to_string(s.shared->partitions) +
           " partition(s) finished";
    if (s.shared->takeovers) out += ", " + std::to_string(s.shared->takeovers) + " taken over";
    if (s.shared->fenced) out += ", " + std::to_string(s.shared->fenced) + " lost to other workers";
  }
  if (!s.message.empty()) out += " (" + s.message + ")";
  return out;
}

}  // namespace ferry::core
