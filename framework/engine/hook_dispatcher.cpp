#include "engine/hook_dispatcher.h"

#include "engine/batch_selection.h"

namespace ferry::core {
namespace {

// A hook answering RETRY gets two more tries, a little apart.
template <typename Call>
CallResult call_with_retries(Call&& call, const StopSource& stop) {
  CallResult r;
  for (uint32_t attempt = 1;; ++attempt) {
    r = call();
    if (r.status != FERRY_RETRY || attempt == 3) return r;
    sleep_unless_stopping(50u << attempt, &stop);
  }
}

}  // namespace

void HookDispatcher::committed(const FerryBatch& batch, const std::string& sink, const std::string& position,
                               const std::vector<RowFailure>& rejected) {
  if (checkpoint_.empty()) return;
  std::unique_ptr<BatchSelection> kept;
  const FerryBatch* b = &batch;
  if (!rejected.empty()) {
    std::vector<bool> bad(batch.n_rows, false);
    for (const RowFailure& f : rejected) bad[f.row] = true;
    std::vector<size_t> rows;
    for (size_t i = 0; i < batch.n_rows; ++i)
      if (!bad[i]) rows.push_back(i);
    kept = std::make_unique<BatchSelection>(batch, rows);
    b = kept->get();
  }
  FerryCheckpointEvent ev{};
  ev.struct_size = sizeof ev;
  ev.pipeline = as_bytes(run_.def.name);
  ev.run_id = as_bytes(run_.run_id);
  ev.sink = as_bytes(sink);
  ev.partition = batch.partition;
  ev.position = as_bytes(position);
  ev.batch = b;
  for (auto& hook : checkpoint_) {
    CallResult r = call_with_retries([&] { return hook->on_commit(ev); }, run_.stop);
    if (r.status == FERRY_STOP) {
      run_.stop.request("stopped by checkpoint hook '" + hook->stage() + "'", false);
    } else if (!r.ok()) {
      hook_failed(*hook, "checkpoint", r.message, run_.def.checkpoint_hooks);
    }
  }
}

void HookDispatcher::failed(const FerryBatch& batch, const std::string& stage,
                            const std::vector<RowFailure>& failures) {
  if (backlog_.empty() || failures.empty() || run_.dry_run()) return;
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
  BatchSelection selected(batch, rows);
  FerryBacklogEvent ev{};
  ev.struct_size = sizeof ev;
  ev.pipeline = as_bytes(run_.def.name);
  ev.run_id = as_bytes(run_.run_id);
  ev.sink = as_bytes(stage);
  ev.partition = batch.partition;
  ev.batch = selected.get();
  ev.outcomes = outcomes.data();
  ev.error_class = outcomes.front().status;
  ev.message = as_bytes(failures.front().message);
  ev.attempts = failures.front().attempts;
  for (auto& hook : backlog_) {
    CallResult r = call_with_retries([&] { return hook->on_failure(ev); }, run_.stop);
    if (r.status == FERRY_STOP) {
      run_.stop.request("stopped by backlog hook '" + hook->stage() + "'", false);
    } else if (!r.ok()) {
      hook_failed(*hook, "backlog", r.message, run_.def.backlog_hooks);
    }
  }
}

void HookDispatcher::hook_failed(const InstanceBase& hook, const char* kind, const std::string& message,
                                 const std::vector<StageDef>& defs) {
  run_.count("ferry_hook_failures_total", run_.labels({{"hook", hook.stage()}}));
  log_warn(std::string(kind) + " hook failed: " + message, run_.fields({}, hook.stage()));
  for (const StageDef& d : defs) {
    if (d.name != hook.stage() || !d.stop_on_failure) continue;
    // The data is committed; stopping only keeps the hook from falling
    // further behind.
    run_.stop.request(std::string(kind) + " hook '" + d.name + "' failed: " + message, true);
  }
}

}  // namespace ferry::core
