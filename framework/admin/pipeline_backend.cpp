#include "admin/pipeline_backend.h"

#include <chrono>
#include <cstdlib>

#include "admin/status_report.h"
#include "common/log.h"
#include "engine/dead_letters.h"

namespace ferry::core {
namespace {

AdminResult error(int status, const std::string& message) {
  return AdminResult{status, boost::json::object{{"error", message}}};
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The leading number of a position ("12345:67" -> 12345), when there is one:
// file offsets and ids are the common cases worth a gauge.
std::optional<double> leading_number(const std::string& position) {
  size_t i = 0;
  while (i < position.size() && position[i] >= '0' && position[i] <= '9') ++i;
  if (i == 0 || i > 18) return std::nullopt;
  return static_cast<double>(std::strtoll(position.substr(0, i).c_str(), nullptr, 10));
}

}  // namespace

PipelineBackend::PipelineBackend(const PipelineDef& def, StateStore& state, Metrics& metrics,
                                 std::atomic<bool>& paused, ReplayRunner replay)
    : def_(def), state_(state), metrics_(metrics), paused_(paused), replay_runner_(std::move(replay)) {
  metrics_.describe("ferry_records_read_total", MetricType::Counter, "Records read from the source.");
  metrics_.describe("ferry_records_written_total", MetricType::Counter, "Records committed, per sink.");
  metrics_.describe("ferry_records_rejected_total", MetricType::Counter,
                    "Records a sink or transform rejected into the dead-letter queue, per stage.");
  metrics_.describe("ferry_batches_total", MetricType::Counter, "Batches committed.");
  metrics_.describe("ferry_retries_total", MetricType::Counter, "Write retries, per sink.");
  metrics_.describe("ferry_schema_changes_total", MetricType::Counter, "Source schema changes, per partition.");
  metrics_.describe("ferry_plugin_call_seconds", MetricType::Histogram,
                    "Duration of plugin calls (source next, sink write with its retries, sink commit).");
  metrics_.describe("ferry_checkpoint_timestamp_seconds", MetricType::Gauge,
                    "Unix time of the last batch this process committed, per partition (its checkpoint may wait to be saved).");
  metrics_.describe("ferry_checkpoint_age_seconds", MetricType::Gauge,
                    "Seconds since each partition's stored checkpoint was saved.");
  metrics_.describe("ferry_partition_position", MetricType::Gauge,
                    "Oldest unprocessed position per partition: the stored checkpoint, when it is a number.");
  metrics_.describe("ferry_dlq_records", MetricType::Gauge, "Dead-letter entries by status.");
  metrics_.describe("ferry_backfill_window_records", MetricType::Gauge, "Records of each backfill window.");
  metrics_.describe("ferry_backfill_window_done", MetricType::Gauge, "1 when a backfill window is done, else 0.");
  metrics_.describe("ferry_pipeline_paused", MetricType::Gauge, "1 while the pipeline is paused.");
  metrics_.describe("ferry_hook_failures_total", MetricType::Counter, "Failed hook calls, per hook.");
  metrics_.describe("ferry_plugin_events_total", MetricType::Counter,
                    "Counters plugins keep through counter_add, per stage and counter name.");
  metrics_.describe("ferry_plugin_gauge", MetricType::Gauge,
                    "Levels plugins report through gauge_set, per stage and gauge name.");
}

PipelineBackend::~PipelineBackend() {
  if (replay_thread_.joinable()) replay_thread_.join();
}

std::optional<AdminResult> PipelineBackend::unknown(const std::string& name) const {
  if (name == def_.name) return std::nullopt;
  return error(404, "no pipeline named '" + name + "' (this server serves '" + def_.name + "')");
}

std::string PipelineBackend::state_name() const {
  if (replaying_) return "replaying";
  if (!running_) return "idle";
  return paused_ ? "paused" : "running";
}

std::string PipelineBackend::metrics_text() {
  // Gauges that describe stored state are recomputed at every scrape.
  const Labels p{{"pipeline", def_.name}};
  metrics_.clear("ferry_dlq_records");
  for (const auto& [status, count] : state_.count_dlq(def_.name))
    metrics_.set("ferry_dlq_records", {{"pipeline", def_.name}, {"status", to_string(status)}},
                 static_cast<double>(count));
  metrics_.clear("ferry_checkpoint_age_seconds");
  metrics_.clear("ferry_partition_position");
  const double now = now_seconds();
  for (const Checkpoint& c : state_.list_checkpoints(def_.name)) {
    Labels l{{"pipeline", def_.name}, {"partition", c.partition}};
    metrics_.set("ferry_checkpoint_age_seconds", l, now - static_cast<double>(c.updated_at_ms) / 1000.0);
    if (auto n = leading_number(c.position)) metrics_.set("ferry_partition_position", l, *n);
  }
  metrics_.clear("ferry_backfill_window_records");
  metrics_.clear("ferry_backfill_window_done");
  for (const BackfillWindow& w : state_.list_windows(def_.name)) {
    Labels l{{"pipeline", def_.name}, {"window", w.window}};
    metrics_.set("ferry_backfill_window_records", l, static_cast<double>(w.records));
    metrics_.set("ferry_backfill_window_done", l, w.status == WindowStatus::Done ? 1 : 0);
  }
  metrics_.set("ferry_pipeline_paused", p, paused_ ? 1 : 0);
  return metrics_.prometheus_text();
}

boost::json::array PipelineBackend::pipelines() {
  return boost::json::array{boost::json::object{{"name", def_.name}, {"state", state_name()}}};
}

AdminResult PipelineBackend::pipeline(const std::string& name) {
  if (auto u = unknown(name)) return *u;
  boost::json::object report = status_report(state_, def_.name);
  report["state"] = state_name();
  const Progress* progress = progress_.load();
  if (running_ && progress) report["progress"] = progress->json();
  std::lock_guard<std::mutex> lock(replay_mu_);
  if (!last_replay_.empty()) report["last_replay"] = last_replay_;
  return AdminResult{200, std::move(report)};
}

AdminResult PipelineBackend::checkpoints(const std::string& name) {
  if (auto u = unknown(name)) return *u;
  boost::json::array acks;
  for (const SinkAck& a : state_.list_sink_acks(def_.name))
    acks.push_back(boost::json::object{{"sink", a.sink}, {"records", a.records}, {"batches", a.batches}});
  return AdminResult{200, boost::json::object{{"pipeline", def_.name},
                                              {"checkpoints", checkpoints_json(state_, def_.name)},
                                              {"sinks", std::move(acks)}}};
}

AdminResult PipelineBackend::reset_checkpoints(const std::string& name, const std::optional<std::string>& partition) {
  if (auto u = unknown(name)) return *u;
  if (running_ || replaying_)
    return error(409, "pipeline '" + def_.name + "' is running; stop it before resetting its checkpoints");
  std::unique_ptr<PipelineLock> lock;
  try {
    lock = state_.lock_pipeline(def_.name, this_process("checkpoint reset"));
  } catch (const PipelineBusyError& e) {
    return error(409, e.what());
  }
  if (std::optional<std::string> why = reset_refused(state_, def_.name, partition)) return error(409, *why);
  int64_t removed = state_.reset_checkpoints(def_.name, partition);
  if (partition && removed == 0)
    return error(404, "pipeline '" + def_.name + "' has no checkpoint for partition '" + *partition + "'");
  log_info("admin API reset " + std::to_string(removed) + " checkpoint(s)" +
               (partition ? " of partition '" + *partition + "'" : std::string()),
           LogFields{def_.name, {}, partition.value_or(""), {}});
  return AdminResult{200, boost::json::object{{"removed", removed}}};
}

AdminResult PipelineBackend::dlq(const std::string& name, const std::optional<std::string>& status, int64_t limit) {
  if (auto u = unknown(name)) return *u;
  DlqFilter f;
  f.pipeline = def_.name;
  f.limit = limit;
  if (status) {
    f.status = parse_dlq_status(*status);
    if (!f.status) return error(400, "unknown status '" + *status + "' (pending, resolved, failed_again, discarded)");
  }
  boost::json::array entries;
  for (const DlqEntry& e : state_.list_dlq(f)) entries.push_back(dlq_entry_json(e, /*with_record=*/false));
  return AdminResult{200, boost::json::object{{"pipeline", def_.name},
                                              {"counts", dlq_counts_json(state_, def_.name)},
                                              {"entries", std::move(entries)}}};
}

AdminResult PipelineBackend::dlq_entry(const std::string& name, int64_t id) {
  if (auto u = unknown(name)) return *u;
  std::optional<DlqEntry> e = state_.get_dlq(def_.name, id);
  if (!e) return error(404, "pipeline '" + def_.name + "' has no DLQ entry " + std::to_string(id));
  return AdminResult{200, dlq_entry_json(*e)};
}

AdminResult PipelineBackend::discard(const std::string& name, const std::vector<int64_t>& ids) {
  if (auto u = unknown(name)) return *u;
  // A replay in flight may be delivering these very entries.
  if (replaying_) return error(409, "a replay of pipeline '" + def_.name + "' is running; discard once it has ended");
  if (std::optional<std::string> why = discard_refused(state_, def_.name, ids)) return error(409, *why);
  int64_t discarded = 0;
  for (int64_t id : ids) {
    std::optional<DlqEntry> e = state_.get_dlq(def_.name, id);
    if (!e || (e->status != DlqStatus::Pending && e->status != DlqStatus::FailedAgain)) continue;
    state_.update_dlq(def_.name, id, DlqStatus::Discarded, std::nullopt, std::nullopt);
    ++discarded;
  }
  log_info("admin API discarded " + std::to_string(discarded) + " DLQ entr" + (discarded == 1 ? "y" : "ies"),
           LogFields{def_.name, {}, {}, {}});
  return AdminResult{200, boost::json::object{{"discarded", discarded}}};
}

AdminResult PipelineBackend::replay(const std::string& name, const boost::json::object& request) {
  if (auto u = unknown(name)) return *u;
  if (running_) return error(409, "pipeline '" + def_.name + "' is running; replay once the run has ended");
  bool expected = false;
  if (!replaying_.compare_exchange_strong(expected, true))
    return error(409, "a replay of pipeline '" + def_.name + "' is already running");
  if (replay_thread_.joinable()) replay_thread_.join();
  replay_thread_ = std::thread([this, request] {
    std::string summary;
    try {
      summary = replay_runner_(request);
    } catch (const std::exception& e) {
      summary = std::string("replay failed: ") + e.what();
      log_error(summary, LogFields{def_.name, {}, {}, {}});
    }
    {
      std::lock_guard<std::mutex> lock(replay_mu_);
      last_replay_ = summary;
    }
    replaying_ = false;
  });
  return AdminResult{202, boost::json::object{{"replay", "started"}, {"pipeline", def_.name}}};
}

AdminResult PipelineBackend::pause(const std::string& name) {
  if (auto u = unknown(name)) return *u;
  if (!running_) return error(409, "pipeline '" + def_.name + "' is not running");
  paused_ = true;
  log_info("paused by the admin API", LogFields{def_.name, {}, {}, {}});
  return AdminResult{200, boost::json::object{{"pipeline", def_.name}, {"state", "paused"}}};
}

AdminResult PipelineBackend::resume(const std::string& name) {
  if (auto u = unknown(name)) return *u;
  if (!running_) return error(409, "pipeline '" + def_.name + "' is not running");
  paused_ = false;
  log_info("resumed by the admin API", LogFields{def_.name, {}, {}, {}});
  return AdminResult{200, boost::json::object{{"pipeline", def_.name}, {"state", "running"}}};
}

}  // namespace ferry::core
