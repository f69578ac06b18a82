// Deferred commits (ABI 1.10): batches a sink acknowledges later stay in
// flight and settle in order (see commit_core.h and docs/architecture.md,
// "Deferred commits").
#include <chrono>

#include "common/log.h"
#include "engine/commit_batch.h"
#include "engine/commit_core.h"

namespace ferry::core {

using Clock = std::chrono::steady_clock;
using State = SinkOutcome::State;

void CommitCore::await_others(size_t i, const Batch& b) {
  for (std::unique_ptr<Batch>& other : in_flight_) {
    if (other.get() == &b || !other->pending[i] || other->awaited[i]) continue;
    other->pending[i] = false;  // awaited, whatever the answer
    other->awaited[i] = sinks_[i].instance->await_commit();
    other->pending[i] = true;
  }
}

void CommitCore::drain(Batch& b) noexcept {
  for (size_t i = 0; i < b.pending.size(); ++i) {
    if (!b.pending[i] || b.awaited[i]) continue;
    b.pending[i] = false;
    try {
      sinks_[i].instance->await_commit();
    } catch (const std::exception& e) {
      log_warn(std::string("a commit left pending failed: ") + e.what(), run_.fields(b.d.partition, sinks_[i].def->name));
    }
  }
}

bool run_defers_commits(const RunContext& run) {
  if (run.dry_run()) return false;
  bool deferring = false;
  for (const SinkDef& s : run.def.sinks) {
    const LoadedPlugin& p = run.plugins.require(s.plugin);
    if (p.has_capability(FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL) || p.sink_single_writer()) return false;
    deferring = deferring || p.sink_defers_commits();
  }
  return deferring;
}

void CommitCore::begin(const Delivery& d, Accounting& accounting) {
  ++counts_.batches;
  in_flight_.push_back(start(d, accounting, d.held_by == nullptr && may_defer()));
}

bool CommitCore::oldest_ready() const {
  if (in_flight_.empty()) return false;
  const Batch& b = *in_flight_.front();
  for (size_t i = 0; i < b.pending.size(); ++i)
    if (b.pending[i] && !b.awaited[i]) return false;
  return true;
}

std::vector<SinkOutcome> CommitCore::settle_oldest() {
  // It stays in flight until settled: should settling throw, abandon()
  // still awaits what it left pending.
  std::vector<SinkOutcome> out = settle(*in_flight_.front());
  in_flight_.pop_front();
  return out;
}

void CommitCore::abandon() noexcept {
  for (std::unique_ptr<Batch>& b : in_flight_) drain(*b);
  in_flight_.clear();
}

void CommitCore::settle_pending(size_t i, Batch& b) {
  SinkSlot& slot = sinks_[i];
  const bool again = b.write_again[i];
  std::optional<CallResult> result = std::move(b.awaited[i]);
  if (b.pending[i] && !result) {
    b.pending[i] = false;
    const auto called = Clock::now();
    result = slot.instance->await_commit();
    run_.observe_call("await_commit", slot.def->name, called);
  }
  b.pending[i] = false;
  b.awaited[i].reset();
  if (!again && (!result || result->ok())) return;
  // This batch is written again: every later batch the sink took is
  // awaited first (nothing may be in flight while it writes) and written
  // again after it, so that a key written in both ends with the later value.
  await_others(i, b);
  for (std::unique_ptr<Batch>& later : in_flight_)
    if (later.get() != &b && later->outcomes[i].state == State::Committed) later->write_again[i] = true;
  auto rewritten = [&] { re_account(b); };
  if (again && (!result || result->ok())) {
    b.landed[i] = true;
    log_info("writing the batch up to position '" + b.d.to +
                 "' again, after the failed batch before it: it stays the later write",
             run_.fields(b.d.partition, slot.def->name));
    write_again(i, b, rewritten);
    commit_one(i, b, rewritten, std::nullopt, false);
    return;
  }
  commit_one(i, b, rewritten, std::move(result), false);
}

}  // namespace ferry::core
