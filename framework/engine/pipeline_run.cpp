#include "engine/pipeline_run.h"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <thread>

#include "common/log.h"
#include "engine/batch_selection.h"
#include "engine/bounded_queue.h"
#include "engine/record_json.h"
#include "engine/schema_fingerprint.h"

namespace ferry::core {
namespace {

using Clock = std::chrono::steady_clock;

std::string commit_policy_name(const CommitPolicy& p) {
  switch (p.kind) {
    case CommitPolicyKind::All: return "all";
    case CommitPolicyKind::Required: return "required";
    case CommitPolicyKind::Quorum: return "quorum(" + std::to_string(p.quorum) + ")";
  }
  return "all";
}

// The DLQ deduplicates on position, so every row needs a distinct one even if
// its source gives none.
std::string row_position(const FerryBatch& b, size_t row) {
  std::string pos = to_string(b.records[row].position);
  if (!pos.empty()) return pos;
  return to_string(b.end_position) + "#" + std::to_string(row);
}

}  // namespace

struct PipelineRun::QueueItem {
  std::vector<FerryBatch> batches;  // source batch, then each transform's output
  // Rows each transform rejected (index into `batches` of its input); handled
  // on the writer thread, which alone calls hooks.
  std::vector<std::pair<size_t, std::vector<RowFailure>>> transform_failures;
  std::exception_ptr error;
  bool end = false;

  QueueItem() = default;
  QueueItem(const QueueItem&) = delete;
  QueueItem& operator=(const QueueItem&) = delete;
  ~QueueItem() {
    // Outputs may point into their inputs: release newest first.
    for (auto it = batches.rbegin(); it != batches.rend(); ++it)
      if (it->release) it->release(&*it);
  }
  const FerryBatch& final_batch() const { return batches.back(); }
};

PipelineRun::PipelineRun(const PipelineDef& def, const PluginRegistry& plugins, StateStore& state,
                         const EngineOptions& options)
    : def_(def), plugins_(plugins), state_(state), options_(options),
      run_id_(options.run_id.empty() ? new_run_id() : options.run_id) {
  if (!options_.cancel) options_.cancel = &local_cancel_;
  if (options_.rate > 0) own_limiter_ = std::make_unique<RateLimiter>(options_.rate);
}

PipelineRun::~PipelineRun() {
  // Close hooks and sinks before the source; the registry keeps the
  // libraries loaded until after this.
  checkpoint_hooks_.clear();
  backlog_hooks_.clear();
  sinks_.clear();
  transforms_.clear();
  source_.reset();
}

OpenParams PipelineRun::params_for(const StageDef& stage) const {
  OpenParams p;
  p.config_json = boost::json::serialize(stage.config);
  p.pipeline = def_.name;
  p.name = stage.name;
  p.run_id = run_id_;
  p.base_dir = def_.base_dir.string();
  p.max_batch_records = def_.max_batch_records;
  p.max_batch_bytes = def_.max_batch_bytes;
  if (options_.window) {
    p.data_date = options_.window->data_date;
    p.window_start = options_.window->start;
    p.window_end = options_.window->end;
  }
  return p;
}

std::string PipelineRun::checkpoint_key(const std::string& partition) const {
  return options_.window ? options_.window->name + "/" + partition : partition;
}

Labels PipelineRun::labels(std::initializer_list<std::pair<std::string, std::string>> extra) const {
  Labels l{{"pipeline", def_.name}};
  for (const auto& e : extra) l.push_back(e);
  return l;
}

void PipelineRun::observe_call(const char* call, const std::string& stage, Clock::time_point since) {
  if (!options_.metrics) return;
  options_.metrics->observe("ferry_plugin_call_seconds", labels({{"stage", stage}, {"call", call}}),
                            std::chrono::duration<double>(Clock::now() - since).count());
}

std::unique_ptr<HostContext> PipelineRun::host_for(const std::string& stage) {
  auto h = std::make_unique<HostContext>(def_.name, stage, options_.cancel, options_.metrics);
  h->set_errant_handler([this, stage](const FerryErrantRecord& r) { return store_errant(stage, r); });
  return h;
}

void PipelineRun::open_instances() {
  // A replay reads the DLQ, not the source (whose input may be long gone).
  if (!options_.replay)
    source_ = std::make_unique<SourceInstance>(plugins_.require(def_.source.plugin),
                                               host_for("source"), params_for(def_.source));
  for (const StageDef& t : def_.transforms)
    transforms_.push_back(std::make_unique<TransformInstance>(plugins_.require(t.plugin),
                                                              host_for(t.name), params_for(t)));
  // A dry run writes nothing, and opening a sink may already write (create
  // a file or a table), so sinks and hooks stay closed.
  if (options_.dry_run) return;
  uint64_t seed = 0x5eed;
  for (const SinkDef& s : def_.sinks) {
    SinkSlot slot;
    slot.def = &s;
    slot.instance = std::make_unique<SinkInstance>(plugins_.require(s.plugin), host_for(s.name), params_for(s));
    slot.backoff = std::make_unique<Backoff>(s.retry, seed++ ^ std::random_device{}());
    sinks_.push_back(std::move(slot));
  }
  for (const StageDef& h : def_.checkpoint_hooks)
    checkpoint_hooks_.push_back(std::make_unique<CheckpointHookInstance>(
        plugins_.require(h.plugin), host_for(h.name), params_for(h)));
  for (const StageDef& h : def_.backlog_hooks)
    backlog_hooks_.push_back(std::make_unique<BacklogHookInstance>(plugins_.require(h.plugin),
                                                                   host_for(h.name), params_for(h)));
}

RunSummary PipelineRun::execute() {
  started_ = last_progress_ = Clock::now();
  Run run;
  run.id = run_id_;
  run.pipeline = def_.name;
  run.kind = options_.kind;
  if (!options_.dry_run && record_run_) state_.begin_run(run);
  LogFields fields{def_.name, run_id_, {}, {}};

  RunSummary summary;
  summary.run_id = run_id_;
  auto finish = [&](RunStatus status, const std::string& message) {
    Logger::instance().clear_status_line();
    summary.status = status;
    summary.message = message;
    summary.counts = RunCounts{read_.load(), written_, rejected_.load(), batches_};
    summary.retries = retries_;
    summary.extra_writes = extra_writes_;
    summary.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    summary.replay = replay_counts_;
    if (!options_.dry_run && record_run_) {
      try {
        state_.end_run(run_id_, status, summary.counts, message);
      } catch (const std::exception& e) {
        log_error(std::string("could not record the end of the run: ") + e.what(), fields);
      }
    }
  };

  try {
    open_instances();
    if (options_.replay) {
      run_replay();
    } else {
      if (work_) {
        while (!options_.cancel->load() && !stop_requested_) {
          const std::vector<std::string>* group = work_->next_group();
          if (!group) break;
          for (const std::string& partition : *group) {
            if (options_.cancel->load() || stop_requested_) break;
            run_partition(partition);
          }
        }
      } else {
        for (const std::string& partition : source_->partitions()) {
          if (options_.cancel->load() || stop_requested_) break;
          run_partition(partition);
        }
      }
    }
  } catch (const CancelledError&) {
    // Interrupted during a retry wait: nothing of the batch was committed.
  } catch (const std::exception& e) {
    finish(RunStatus::Failed, e.what());
    throw;
  }
  if (stop_requested_) {
    finish(stop_is_failure_ ? RunStatus::Failed : RunStatus::Stopped, stop_message_);
  } else if (options_.cancel->load()) {
    finish(RunStatus::Stopped, "interrupted");
  } else {
    finish(RunStatus::Succeeded, "");
  }
  return summary;
}

std::optional<std::string> PipelineRun::resume_position(const std::string& partition) {
  std::optional<Checkpoint> stored = state_.load_checkpoint(def_.name, checkpoint_key(partition));
  if (stored) schema_version_ = stored->schema_version;
  // With a single transactional sink, the checkpoint committed with the data
  // is the truth: the state store may lag it by one batch after a crash.
  if (sinks_.size() == 1 && def_.sinks.size() == 1 && sinks_[0].instance->transactional()) {
    std::optional<std::string> held = sinks_[0].instance->held_checkpoint(checkpoint_key(partition));
    if (held && (!stored || stored->position != *held))
      log_info("resuming from the checkpoint held by sink '" + sinks_[0].def->name + "'",
               LogFields{def_.name, run_id_, partition, {}});
    return held;
  }
  if (stored) return stored->position;
  return std::nullopt;
}

void PipelineRun::run_partition(const std::string& partition) {
  current_partition_ = partition;
  partition_estimate_ = 0;
  if (auto est = source_->estimate(partition)) partition_estimate_ = est->first == UINT64_MAX ? 0 : est->first;
  schema_version_.clear();
  std::optional<std::string> position = resume_position(partition);
  last_end_position_ = position.value_or("");
  source_->start(partition, position);

  BoundedQueue<std::unique_ptr<QueueItem>> queue(def_.queue_depth);
  std::thread reader([&] { read_loop(partition, queue); });
  auto stop_reader = [&] {
    queue.close();
    queue.drain();  // releases what the reader produced but nobody wrote
    reader.join();
  };
  try {
    while (std::optional<std::unique_ptr<QueueItem>> item = queue.pop()) {
      if ((*item)->error) std::rethrow_exception((*item)->error);
      if ((*item)->end) break;
      track_schema((*item)->batches.front(), partition);
      for (const auto& [t, failures] : (*item)->transform_failures) {
        dead_letter((*item)->batches[t], def_.transforms[t].name, "", failures);
        fire_backlog((*item)->batches[t], def_.transforms[t].name, failures);
      }
      if (def_.lineage) add_lineage((*item)->batches, partition);
      process_batch((*item)->final_batch());
      last_end_position_ = to_string((*item)->final_batch().end_position);
      show_progress(false);
      // A stop request ends the run between batches, never inside one.
      if (stop_requested_ || options_.cancel->load()) break;
    }
  } catch (...) {
    stop_reader();
    throw;
  }
  stop_reader();
}

void PipelineRun::read_loop(const std::string& partition,
                            BoundedQueue<std::unique_ptr<QueueItem>>& queue) {
  Backoff backoff(def_.retry);
  uint32_t retries = 0;
  try {
    RateLimiter* limiter = shared_limiter_ ? shared_limiter_ : own_limiter_.get();
    while (!options_.cancel->load() && !stop_requested_) {
      while (options_.paused && options_.paused->load() && !options_.cancel->load())
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      auto item = std::make_unique<QueueItem>();
      FerryBatch batch{};
      auto called = Clock::now();
      CallResult r = source_->next(&batch);
      observe_call("next", "source", called);
      if (r.status == FERRY_END_OF_STREAM) {
        item->end = true;
        queue.push(std::move(item));
        return;
      }
      if (r.status == FERRY_RETRY) {
        if (++retries >= def_.retry.max_attempts)
          throw Error("source (plugin '" + def_.source.plugin + "') gave up after " +
                      std::to_string(retries) + " attempts reading partition '" + partition + "': " + r.message);
        if (!sleep_unless_cancelled(backoff.delay_ms(retries, r.retry_after_ms), options_.cancel)) break;
        continue;
      }
      retries = 0;
      item->batches.push_back(batch);
      read_ += static_cast<int64_t>(batch.n_rows);
      if (options_.metrics) options_.metrics->add("ferry_records_read_total", labels(), static_cast<double>(batch.n_rows));
      // Throttle here, so a capped run also holds back the queue behind it.
      if (limiter && batch.n_rows > 0 && !limiter->acquire(static_cast<double>(batch.n_rows), options_.cancel)) break;
      for (size_t t = 0; t < transforms_.size(); ++t) {
        const FerryBatch& in = item->batches.back();
        std::vector<FerryRecordOutcome> outcomes(in.n_rows);
        FerryBatch out{};
        transforms_[t]->apply(&in, &out, outcomes.data());
        std::vector<RowFailure> failures;
        for (size_t i = 0; i < outcomes.size(); ++i) {
          if (outcomes[i].status == FERRY_OK) continue;
          failures.push_back({i, status_name(outcomes[i].status), to_string(outcomes[i].message), 1});
        }
        if (!failures.empty()) item->transform_failures.emplace_back(t, std::move(failures));
        item->batches.push_back(out);
      }
      if (!queue.push(std::move(item))) return;
    }
    auto end = std::make_unique<QueueItem>();
    end->end = true;
    queue.push(std::move(end));
  } catch (...) {
    auto failed = std::make_unique<QueueItem>();
    failed->error = std::current_exception();
    queue.push(std::move(failed));
  }
}

bool PipelineRun::policy_met(const std::vector<SinkWriteResult>& results) const {
  size_t acked = 0;
  bool required_ok = true;
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].acked) ++acked;
    else if (sinks_[i].def->required) required_ok = false;
  }
  switch (def_.commit_policy.kind) {
    case CommitPolicyKind::All: return acked == results.size();
    case CommitPolicyKind::Required: return required_ok;
    case CommitPolicyKind::Quorum: return acked >= def_.commit_policy.quorum;
  }
  return false;
}

void PipelineRun::process_batch(const FerryBatch& batch) {
  ++batches_;
  const std::string partition = to_string(batch.partition);
  if (options_.dry_run) {
    written_ += static_cast<int64_t>(batch.n_rows);
    return;
  }

  std::vector<SinkWriteResult> results;
  results.reserve(sinks_.size());
  try {
    for (SinkSlot& slot : sinks_) {
      auto called = Clock::now();
      results.push_back(write_to_sink(*slot.instance, batch, slot.def->retry, *slot.backoff, options_.cancel));
      observe_call("write", slot.def->name, called);
    }
  } catch (...) {
    // A fatal write, or a stop during a retry wait: nothing of this batch
    // may commit, in any sink.
    abort_all_sinks();
    throw;
  }

  if (!policy_met(results)) {
    abort_all_sinks();
    std::string why;
    for (size_t i = 0; i < sinks_.size(); ++i)
      if (!results[i].acked) why += "; sink '" + sinks_[i].def->name + "': " + results[i].failure;
    throw Error("commit policy '" + commit_policy_name(def_.commit_policy) +
                "' not met in partition '" + partition + "'; the checkpoint stays where it was" + why);
  }

  // Failed records are stored before anything commits, so a crash between
  // the two cannot lose them (the DLQ ignores a re-delivered duplicate).
  for (size_t i = 0; i < sinks_.size(); ++i) {
    SinkWriteResult& r = results[i];
    if (!r.acked) {
      // The policy holds without this sink: its rows wait in the DLQ,
      // addressed to it, for `ferry replay --sink`.
      std::vector<bool> rejected(batch.n_rows, false);
      for (const RowFailure& f : r.rejected) rejected[f.row] = true;
      for (size_t row = 0; row < batch.n_rows; ++row)
        if (!rejected[row]) r.rejected.push_back({row, "sink_failed", r.failure, r.attempts});
      sinks_[i].instance->abort();
    }
    if (!r.rejected.empty()) {
      dead_letter(batch, sinks_[i].def->name, sinks_[i].def->name, r.rejected);
      fire_backlog(batch, sinks_[i].def->name, r.rejected);
    }
    retries_ += static_cast<int64_t>(r.retries);
    extra_writes_ += static_cast<int64_t>(r.extra_writes);
    if (r.extra_writes)
      log_info("isolated " + std::to_string(r.rejected.size()) + " bad record(s) with " +
                   std::to_string(r.extra_writes) + " extra writes",
               LogFields{def_.name, run_id_, partition, sinks_[i].def->name});
  }

  const std::string key = checkpoint_key(partition);
  FerryCheckpoint cp{};
  cp.struct_size = sizeof cp;
  cp.pipeline = as_bytes(def_.name);
  cp.partition = as_bytes(key);
  cp.position = batch.end_position;
  cp.run_id = as_bytes(run_id_);

  std::vector<std::string> acked;
  size_t fewest_rejected = batch.n_rows;
  for (size_t i = 0; i < sinks_.size(); ++i) {
    if (!results[i].acked) continue;
    auto called = Clock::now();
    commit_sink(sinks_[i], batch, cp, results[i]);
    observe_call("commit", sinks_[i].def->name, called);
    acked.push_back(sinks_[i].def->name);
    if (options_.metrics) {
      options_.metrics->add("ferry_records_written_total", labels({{"sink", sinks_[i].def->name}}),
                            static_cast<double>(batch.n_rows - results[i].rejected.size()));
      options_.metrics->add("ferry_records_rejected_total", labels({{"stage", sinks_[i].def->name}}),
                            static_cast<double>(results[i].rejected.size()));
      options_.metrics->add("ferry_retries_total", labels({{"sink", sinks_[i].def->name}}),
                            static_cast<double>(results[i].retries));
    }
    fewest_rejected = std::min(fewest_rejected, results[i].rejected.size());
  }
  int64_t accepted = static_cast<int64_t>(batch.n_rows - (acked.empty() ? batch.n_rows : fewest_rejected));

  Checkpoint saved;
  saved.pipeline = def_.name;
  saved.partition = key;
  saved.position = to_string(batch.end_position);
  saved.run_id = run_id_;
  saved.schema_version = schema_version_;
  state_.save_checkpoint(saved, accepted, acked);
  written_ += accepted;
  if (options_.metrics) {
    options_.metrics->add("ferry_batches_total", labels());
    options_.metrics->set("ferry_checkpoint_timestamp_seconds", labels({{"partition", key}}),
                          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  }

  for (size_t i = 0; i < sinks_.size(); ++i)
    if (results[i].acked) fire_checkpoint_hooks(batch, sinks_[i].def->name, results[i].rejected);
}

void PipelineRun::abort_all_sinks() {
  for (SinkSlot& slot : sinks_) {
    try {
      slot.instance->abort();
    } catch (const std::exception& e) {
      log_warn(std::string("abort failed: ") + e.what(),
               LogFields{def_.name, run_id_, current_partition_, slot.def->name});
    }
  }
}

void PipelineRun::commit_sink(SinkSlot& slot, const FerryBatch& batch, const FerryCheckpoint& cp,
                              SinkWriteResult& result) {
  for (uint32_t attempt = 1;; ++attempt) {
    CallResult r = slot.instance->commit(&cp);
    if (r.ok()) return;
    if (attempt >= slot.def->retry.max_attempts)
      throw Error("sink '" + slot.def->name + "' could not commit after " + std::to_string(attempt) +
                  " attempts: " + r.message);
    log_warn("commit failed, writing the batch again: " + r.message,
             LogFields{def_.name, run_id_, to_string(batch.partition), slot.def->name});
    slot.instance->abort();
    if (!sleep_unless_cancelled(slot.backoff->delay_ms(attempt, r.retry_after_ms), options_.cancel))
      throw CancelledError();
    SinkWriteResult again = write_to_sink(*slot.instance, batch, slot.def->retry, *slot.backoff, options_.cancel);
    if (!again.acked) throw Error("sink '" + slot.def->name + "' failed while committing: " + again.failure);
    if (again.rejected.size() > result.rejected.size()) {
      dead_letter(batch, slot.def->name, slot.def->name, again.rejected);
    }
    result = std::move(again);
  }
}

void PipelineRun::dead_letter(const FerryBatch& batch, const std::string& stage, const std::string& sink,
                              const std::vector<RowFailure>& failures) {
  rejected_ += static_cast<int64_t>(failures.size());
  if (options_.dry_run) return;
  std::vector<DlqEntry> entries;
  entries.reserve(failures.size());
  for (const RowFailure& f : failures) {
    DlqEntry e;
    e.pipeline = def_.name;
    e.run_id = run_id_;
    e.partition = checkpoint_key(to_string(batch.partition));
    e.position = row_position(batch, f.row);
    e.stage = stage;
    e.sink = sink;
    e.record_key = to_string(batch.records[f.row].key);
    e.record_json = row_to_json(batch, f.row);
    e.error_class = f.error_class;
    e.message = f.message;
    e.attempts = f.attempts;
    entries.push_back(std::move(e));
  }
  state_.add_dlq(entries);
}

FerryStatus PipelineRun::store_errant(const std::string& stage, const FerryErrantRecord& r) {
  ++read_;
  ++rejected_;
  if (options_.dry_run) return FERRY_OK;
  DlqEntry e;
  e.pipeline = def_.name;
  e.run_id = run_id_;
  e.partition = checkpoint_key(r.partition.size ? to_string(r.partition) : current_partition_);
  e.position = to_string(r.position);
  e.stage = stage;
  e.record_key = to_string(r.key);
  e.record_json = raw_record_json(r.payload);
  e.error_class = status_name(r.error_class == FERRY_OK ? FERRY_INVALID_DATA : r.error_class);
  e.message = to_string(r.message);
  state_.add_dlq({e});
  return FERRY_OK;
}

void PipelineRun::fire_backlog(const FerryBatch& batch, const std::string& stage,
                               const std::vector<RowFailure>& failures) {
  if (backlog_hooks_.empty() || failures.empty() || options_.dry_run) return;
  std::vector<size_t> rows;
  std::vector<FerryRecordOutcome> outcomes;
  for (const RowFailure& f : failures) {
    rows.push_back(f.row);
    FerryRecordOutcome o{};
    // invalid_data: the record is bad; anything else (retry_exhausted,
    // sink_failed) means the sink could not take it.
    o.status = f.error_class == "invalid_data" ? FERRY_INVALID_DATA : FERRY_RETRY;
    o.message = as_bytes(f.message);
    outcomes.push_back(o);
  }
  BatchSelection failed(batch, rows);
  FerryBacklogEvent ev{};
  ev.struct_size = sizeof ev;
  ev.pipeline = as_bytes(def_.name);
  ev.run_id = as_bytes(run_id_);
  ev.sink = as_bytes(stage);
  ev.partition = batch.partition;
  ev.batch = failed.get();
  ev.outcomes = outcomes.data();
  ev.error_class = outcomes.front().status;
  ev.message = as_bytes(failures.front().message);
  ev.attempts = failures.front().attempts;
  for (auto& hook : backlog_hooks_) {
    CallResult r;
    for (uint32_t attempt = 1;; ++attempt) {
      r = hook->on_failure(ev);
      if (r.status != FERRY_RETRY || attempt == 3) break;
      sleep_unless_cancelled(50u << attempt, options_.cancel);
    }
    if (r.status == FERRY_STOP) {
      stop_requested_ = true;
      stop_message_ = "stopped by backlog hook '" + hook->stage() + "'";
    } else if (!r.ok()) {
      hook_failed(*hook, "backlog", r.message, def_.backlog_hooks);
    }
  }
}

void PipelineRun::fire_checkpoint_hooks(const FerryBatch& batch, const std::string& sink,
                                        const std::vector<RowFailure>& rejected) {
  if (checkpoint_hooks_.empty()) return;
  std::unique_ptr<BatchSelection> committed;
  const FerryBatch* b = &batch;
  if (!rejected.empty()) {
    std::vector<bool> bad(batch.n_rows, false);
    for (const RowFailure& f : rejected) bad[f.row] = true;
    std::vector<size_t> rows;
    for (size_t i = 0; i < batch.n_rows; ++i)
      if (!bad[i]) rows.push_back(i);
    committed = std::make_unique<BatchSelection>(batch, rows);
    b = committed->get();
  }
  FerryCheckpointEvent ev{};
  ev.struct_size = sizeof ev;
  ev.pipeline = as_bytes(def_.name);
  ev.run_id = as_bytes(run_id_);
  ev.sink = as_bytes(sink);
  ev.partition = batch.partition;
  ev.position = batch.end_position;
  ev.batch = b;
  for (auto& hook : checkpoint_hooks_) {
    // A failing hook never un-commits data: retry it a little, then count it.
    CallResult r;
    for (uint32_t attempt = 1;; ++attempt) {
      r = hook->on_commit(ev);
      if (r.status != FERRY_RETRY || attempt == 3) break;
      sleep_unless_cancelled(50u << attempt, options_.cancel);
    }
    if (r.status == FERRY_STOP) {
      stop_requested_ = true;
      stop_message_ = "stopped by checkpoint hook '" + hook->stage() + "'";
    } else if (!r.ok()) {
      hook_failed(*hook, "checkpoint", r.message, def_.checkpoint_hooks);
    }
  }
}

void PipelineRun::hook_failed(const InstanceBase& hook, const char* kind, const std::string& message,
                              const std::vector<StageDef>& defs) {
  if (options_.metrics) options_.metrics->add("ferry_hook_failures_total", labels({{"hook", hook.stage()}}));
  log_warn(std::string(kind) + " hook failed: " + message, LogFields{def_.name, run_id_, {}, hook.stage()});
  for (const StageDef& d : defs) {
    if (d.name != hook.stage() || !d.stop_on_failure) continue;
    // The data is committed; stopping only keeps the hook from falling
    // further behind.
    stop_requested_ = true;
    stop_is_failure_ = true;
    stop_message_ = std::string(kind) + " hook '" + d.name + "' failed: " + message;
  }
}

void PipelineRun::show_progress(bool force) {
  if (!options_.progress) return;
  auto now = Clock::now();
  if (!force && now - last_progress_ < std::chrono::milliseconds(500)) return;
  last_progress_ = now;
  double secs = std::chrono::duration<double>(now - started_).count();
  int64_t read = read_.load();
  std::string line = def_.name + " [" + current_partition_ + "] read " + std::to_string(read) +
                     ", written " + std::to_string(written_) + ", rejected " +
                     std::to_string(rejected_.load()) + ", " +
                     std::to_string(static_cast<int64_t>(secs > 0 ? read / secs : 0)) + " records/s";
  Logger::instance().status_line(line);
}

}  // namespace ferry::core
