#include "engine/engine.h"

#include <unistd.h>

#include <algorithm>

#include <boost/json/serialize.hpp>
#include <cstdio>
#include <exception>
#include <random>
#include <map>
#include <thread>

#include "common/log.h"
#include "engine/pipeline_run.h"

namespace ferry::core {
namespace {

uint64_t physical_memory() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(size) : 0;
}

OpenParams planning_params(const PipelineDef& def, const StageDef& stage, const EngineOptions& options) {
  OpenParams p;
  p.config_json = boost::json::serialize(stage.config);
  p.pipeline = def.name;
  p.name = stage.name;
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

struct PartitionPlan {
  std::vector<std::vector<std::string>> groups;
  uint32_t workers = 1;
};

// Lists the partitions with a short-lived source instance, then sizes the
// pool: the orchestrator's plan when the pipeline has one, else plan_workers.
PartitionPlan plan_partitions(const PipelineDef& def, const PluginRegistry& plugins, const EngineOptions& options,
                              uint32_t parallelism) {
  auto host = std::make_unique<HostContext>(def.name, "source", options.cancel, options.metrics);
  host->set_errant_handler([](const FerryErrantRecord&) { return FERRY_OK; });
  SourceInstance source(plugins.require(def.source.plugin), std::move(host),
                        planning_params(def, def.source, options));
  std::vector<std::string> names = source.partitions();
  PartitionPlan plan;
  plan.workers = plan_workers(parallelism, names.size(), def.max_batch_bytes, def.queue_depth);
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
  auto orch_host = std::make_unique<HostContext>(def.name, def.orchestrator->name, options.cancel, options.metrics);
  OrchestratorInstance orchestrator(plugins.require(def.orchestrator->plugin), std::move(orch_host),
                                    planning_params(def, *def.orchestrator, options));
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
           LogFields{def.name, {}, {}, {}});
  return plan;
}

void add_counts(RunSummary& total, const RunSummary& part) {
  total.counts.read += part.counts.read;
  total.counts.written += part.counts.written;
  total.counts.rejected += part.counts.rejected;
  total.counts.batches += part.counts.batches;
  total.retries += part.retries;
  total.extra_writes += part.extra_writes;
}

}  // namespace

uint32_t plan_workers(uint32_t parallelism, size_t partitions, uint64_t max_batch_bytes, uint32_t queue_depth) {
  if (partitions == 0) return 1;
  if (parallelism > 0) return static_cast<uint32_t>(std::min<size_t>(parallelism, partitions));
  // auto: one worker per core, no more than the partitions, and no more than
  // a quarter of the memory can hold in flight (each worker keeps up to
  // queue_depth + 2 batches).
  uint32_t cores = std::max(1u, std::thread::hardware_concurrency());
  uint64_t per_worker = std::max<uint64_t>(1, max_batch_bytes) * (queue_depth + 2);
  uint64_t memory = physical_memory();
  uint64_t by_memory = memory ? std::max<uint64_t>(1, memory / 4 / per_worker) : cores;
  return static_cast<uint32_t>(std::min<uint64_t>({cores, partitions, by_memory}));
}

Engine::Engine(const PipelineDef& def, const PluginRegistry& plugins, StateStore& state)
    : def_(def), plugins_(plugins), state_(state) {}

Engine::~Engine() = default;

RunSummary Engine::run(const EngineOptions& options) {
  uint32_t parallelism = options.parallelism.value_or(def_.parallelism);
  if (options.replay || parallelism == 1) {
    PipelineRun run(def_, plugins_, state_, options);
    return run.execute();
  }

  PartitionPlan plan = plan_partitions(def_, plugins_, options, parallelism);
  size_t partition_count = 0;
  for (const auto& g : plan.groups) partition_count += g.size();
  const uint32_t workers = std::min<uint32_t>(plan.workers, static_cast<uint32_t>(plan.groups.size()));
  log_info("running " + std::to_string(partition_count) + " partition(s) on " + std::to_string(workers) +
               " worker(s)",
           LogFields{def_.name, {}, {}, {}});
  if (workers <= 1 && !def_.orchestrator) {
    PipelineRun run(def_, plugins_, state_, options);
    return run.execute();
  }

  // Workers share the run record, the rate limit and a stop flag: a fatal
  // error in one ends the others after their current batch.
  EngineOptions shared = options;
  if (shared.run_id.empty()) shared.run_id = new_run_id();
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  shared.cancel = &stop;
  std::thread watcher([&] {
    while (!done.load()) {
      if (options.cancel && options.cancel->load()) stop.store(true);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  WorkQueue queue(std::move(plan.groups));
  std::unique_ptr<RateLimiter> limiter;
  if (options.rate > 0) limiter = std::make_unique<RateLimiter>(options.rate);

  Run run;
  run.id = shared.run_id;
  run.pipeline = def_.name;
  run.kind = options.kind;
  if (!options.dry_run) state_.begin_run(run);
  auto started = std::chrono::steady_clock::now();

  std::vector<RunSummary> results(workers);
  std::vector<std::exception_ptr> errors(workers);
  std::vector<std::thread> threads;
  for (uint32_t w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      try {
        PipelineRun worker(def_, plugins_, state_, shared);
        worker.share(&queue, limiter.get());
        results[w] = worker.execute();
      } catch (...) {
        errors[w] = std::current_exception();
        stop.store(true);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  done.store(true);
  watcher.join();

  RunSummary total;
  total.run_id = shared.run_id;
  for (const RunSummary& r : results) {
    add_counts(total, r);
    if (r.status == RunStatus::Stopped && total.status == RunStatus::Succeeded) {
      total.status = RunStatus::Stopped;
      total.message = r.message;
    }
    if (r.status == RunStatus::Failed) {
      total.status = RunStatus::Failed;
      total.message = r.message;
    }
  }
  total.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
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
  }
  if (total.status == RunStatus::Succeeded && options.cancel && options.cancel->load()) {
    total.status = RunStatus::Stopped;
    total.message = "interrupted";
  }
  if (!options.dry_run) {
    try {
      state_.end_run(total.run_id, total.status, total.counts, total.message);
    } catch (const std::exception& e) {
      log_error(std::string("could not record the end of the run: ") + e.what());
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
  if (!s.message.empty()) out += " (" + s.message + ")";
  return out;
}

}  // namespace ferry::core
