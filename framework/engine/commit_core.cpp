#include "engine/commit_core.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "common/log.h"
#include "engine/commit_batch.h"

namespace ferry::core {
namespace {

constexpr const char* kFromAnInterruptedRun = "from an interrupted run";

using Clock = std::chrono::steady_clock;
using State = SinkOutcome::State;

std::vector<RowFailure> every_row_failed(size_t rows, std::vector<RowFailure> already, const std::string& why,
                                         uint32_t attempts) {
  std::vector<bool> seen(rows, false);
  for (const RowFailure& f : already) seen[f.row] = true;
  for (size_t r = 0; r < rows; ++r)
    if (!seen[r]) already.push_back({r, kSinkFailed, why, attempts});
  return already;
}

std::set<size_t> rows_of(const std::vector<RowFailure>& failures) {
  std::set<size_t> out;
  for (const RowFailure& f : failures) out.insert(f.row);
  return out;
}

}  // namespace

int64_t run_commit_wait_ms(const RunContext& run) {
  if (run.dry_run() || run.leases != nullptr || !run.def.checkpoint_hooks.empty()) return 0;
  // A commit saved after the lock was lost could undo another run's.
  if (run.run_lock != nullptr && run.run_lock->may_be_lost()) return 0;
  for (const SinkDef& s : run.def.sinks) {
    const LoadedPlugin& p = run.plugins.require(s.plugin);
    if (!p.has_capability(FERRY_KIND_SINK, FERRY_CAP_IDEMPOTENT) ||
        p.has_capability(FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL) || p.sink_single_writer())
      return 0;
  }
  return run.def.state.group_commit_ms;
}

CommitCore::CommitCore(RunContext& run, SinkSet& sinks, HookDispatcher& hooks, WorkerCounts& counts)
    : run_(run),
      sinks_(sinks),
      hooks_(hooks),
      counts_(counts),
      may_defer_(run_defers_commits(run)),
      may_wait_ms_(run_commit_wait_ms(run)) {}

// The runner abandons what a partition leaves in flight; by the time the
// core goes, the sinks may be closed, and close() takes pending commits.
CommitCore::~CommitCore() = default;

void CommitCore::check_lock() const {
  if (run_.leases) run_.leases->check_held();
  if (run_.run_lock) run_.run_lock->check_held();
}

std::vector<SinkOutcome> CommitCore::write_all(const Delivery& d) {
  std::vector<SinkOutcome> out(sinks_.size());
  for (size_t i = 0; i < sinks_.size(); ++i) {
    SinkOutcome& o = out[i];
    o.state = i < d.start.size() ? d.start[i] : State::Committed;
    if (o.state == State::Holds || o.state == State::NotAddressed) continue;
    SinkSlot& slot = sinks_[i];
    if (!slot.instance) {
      if (d.in_doubt) refuse_unless_rewritten(slot, d, nullptr, kFromAnInterruptedRun);
      o.state = State::Failed;
      o.failure = "the sink could not be opened: " + slot.down_reason;
      o.rejected = every_row_failed(d.batch->n_rows, {}, o.failure, 0);
      continue;
    }
    const auto called = Clock::now();
    SinkWriteResult r = write_to_sink(*slot.instance, *d.batch, slot.def->retry, *slot.backoff, &run_.stop);
    run_.observe_call("write", slot.def->name, called);
    if (d.in_doubt) refuse_unless_rewritten(slot, d, &r, kFromAnInterruptedRun);
    o.retries = r.retries;
    o.extra_writes = r.extra_writes;
    if (r.acked) {
      o.state = State::Committed;  // once its commit goes through
      o.rejected = std::move(r.rejected);
    } else {
      o.state = State::Failed;
      o.failure = r.failure;
      o.rejected = every_row_failed(d.batch->n_rows, std::move(r.rejected), r.failure, r.attempts);
    }
  }
  return out;
}

// A sink named by batch replaces its output of a batch only by writing the
// batch again. If it cannot for now (down, retries run out) while it may
// hold the batch already (from an interrupted run, or a commit whose
// outcome is unknown), rows sent to the DLQ would land a second time when
// replayed. So the run stops instead, and the batch comes again. A batch
// refused as invalid as a whole stays invalid (the ABI's promise): the
// sink cannot hold it.
void CommitCore::refuse_unless_rewritten(const SinkSlot& slot, const Delivery& d, const SinkWriteResult* r,
                                         const char* may_hold) const {
  if (d.batch->n_rows == 0 || !run_.plugins.require(slot.def->plugin).sink_named_by_batch()) return;
  std::string why;
  if (!r) {
    why = "it could not be opened: " + slot.down_reason;
  } else if (!r->acked) {
    why = r->failure;
  } else if (!r->wrote) {
    const auto transient = std::find_if(r->rejected.begin(), r->rejected.end(),
                                        [](const RowFailure& f) { return f.error_class != "invalid_data"; });
    if (transient == r->rejected.end()) return;
    why = transient->message;
  } else {
    return;
  }
  throw Error("sink '" + slot.def->name + "' names its output by batch and may hold a batch of partition '" +
              d.partition + "' already (" + may_hold + "), but could not write it again (" + why +
              "); its rows cannot go to the DLQ, where a replay would write them a second time. Run again once "
              "the sink takes the batch");
}

void CommitCore::abort_staged(const std::vector<SinkOutcome>& outcomes, const Delivery& d) noexcept {
  for (size_t i = 0; i < sinks_.size(); ++i) {
    const State s = i < outcomes.size() ? outcomes[i].state : State::Committed;
    if (s == State::Holds || s == State::NotAddressed || !sinks_[i].instance) continue;
    try {
      sinks_[i].instance->abort();
    } catch (const std::exception& e) {
      log_warn(std::string("abort failed: ") + e.what(), run_.fields(d.partition, sinks_[i].def->name));
    }
  }
}

bool CommitCore::write_again(size_t i, Batch& b, const std::function<void()>& rewritten) {
  SinkSlot& slot = sinks_[i];
  SinkOutcome& outcome = b.outcomes[i];
  // Nothing of the sink's may be in flight while a batch is written again.
  await_others(i, b);
  SinkWriteResult again = write_to_sink(*slot.instance, *b.d.batch, slot.def->retry, *slot.backoff, &run_.stop);
  if (!b.landed[i]) refuse_unless_rewritten(slot, b.d, &again, "its commit failed, and may have landed");
  // A batch that landed is written again for another's sake: no retry of its own.
  outcome.retries += again.retries + (b.landed[i] ? 0 : 1);
  outcome.extra_writes += again.extra_writes;
  if (b.landed[i]) {
    // The batch landed once already; this write keeps a later batch's
    // values the newest. A row it refuses is still there from the first
    // time: only a row both refused stays out of the sink.
    if (!again.acked)
      throw Error("sink '" + slot.def->name + "' took partition '" + b.d.partition + "' up to position '" + b.d.to +
                  "', but writing it again after an earlier batch failed (" + again.failure +
                  "); stopping, so that the next run delivers these batches again in order");
    // A sink named by batch replaced its output with this write's, if it
    // staged one; an upsert keeps the first write's rows too.
    if (slot.instance->named_by_batch()) {
      if (!again.wrote) return true;
      const bool other_rows = rows_of(again.rejected) != rows_of(outcome.rejected);
      outcome.rejected = std::move(again.rejected);
      if (other_rows) rewritten();
      return true;
    }
    const std::set<size_t> before = rows_of(outcome.rejected);
    std::vector<RowFailure> both;
    for (RowFailure& f : again.rejected)
      if (before.count(f.row)) both.push_back(std::move(f));
    const bool other_rows = rows_of(both) != before;
    outcome.rejected = std::move(both);
    if (other_rows) rewritten();
    return true;
  }
  if (!again.acked) {
    slot.instance->abort();
    outcome.state = State::Failed;
    outcome.failure = again.failure;
    outcome.rejected = every_row_failed(b.d.batch->n_rows, std::move(again.rejected), again.failure, again.attempts);
    rewritten();
    return false;
  }
  // The rows this attempt refused are the ones that stay out of the sink.
  const bool other_rows = rows_of(again.rejected) != rows_of(outcome.rejected);
  outcome.rejected = std::move(again.rejected);
  if (other_rows) rewritten();
  return true;
}

void CommitCore::commit_one(size_t i, Batch& b, const std::function<void()>& rewritten,
                            std::optional<CallResult> first, bool defer) {
  SinkSlot& slot = sinks_[i];
  const Delivery& d = b.d;
  FerryCheckpoint cp{};
  cp.struct_size = sizeof cp;
  cp.pipeline = as_bytes(run_.def.name);
  cp.partition = as_bytes(d.partition);
  cp.position = as_bytes(d.to);
  cp.run_id = as_bytes(run_.run_id);
  cp.fence_token = d.fence ? static_cast<uint64_t>(d.fence->token) : 0;
  // Whether a transactional sink holds the batch: its own checkpoint says.
  // A sink that cannot be asked is asked again. Neither answer may be
  // guessed: "no" would write a batch that may have landed a second time,
  // "yes" would lose one that did not.
  auto holds_batch = [&](const std::string& failure) {
    if (!slot.transactional) return false;
    for (uint32_t ask = 1;; ++ask) {
      std::string why;
      try {
        return slot.instance->held_checkpoint(d.partition) == std::optional<std::string>(d.to);
      } catch (const std::exception& e) {
        why = e.what();
      }
      if (ask >= slot.def->retry.max_attempts)
        throw Error("sink '" + slot.def->name + "' failed the commit of partition '" + d.partition +
                    "' up to position '" + d.to + "' (" + failure + ") and could not say whether it landed, " +
                    std::to_string(ask) + " times (" + why +
                    "); stopping, so that the batch is neither lost nor written twice: the next run asks again");
      const uint64_t delay = slot.backoff->delay_ms(ask, 0);
      log_warn("cannot learn whether the commit landed, asking again in " + std::to_string(delay) +
                   " ms (attempt " + std::to_string(ask) + " of " + std::to_string(slot.def->retry.max_attempts) +
                   "): " + why,
               run_.fields(d.partition, slot.def->name));
      if (!sleep_unless_stopping(delay, &run_.stop)) throw CancelledError();
    }
  };
  for (uint32_t attempt = 1;; ++attempt) {
    // Asked before every attempt, retries included: nothing of the batch
    // commits once another run may hold the pipeline.
    check_lock();
    CallResult r;
    if (first) {
      r = std::move(*first);
      first.reset();
    } else {
      // Only the first attempt may stay pending: a commit made again is
      // finished before the batches after it settle.
      cp.flags = defer && attempt == 1 ? FERRY_COMMIT_MAY_DEFER : 0;
      const auto called = Clock::now();
      try {
        r = slot.instance->commit(&cp);
      } catch (const PluginCallError& e) {
        if (!holds_batch(e.what())) throw;
        r.status = FERRY_OK;
      }
      // Before anything else can throw: a pending commit is awaited, always.
      if (r.status == FERRY_PENDING) b.pending[i] = true;
      run_.observe_call("commit", slot.def->name, called);
      if (r.status == FERRY_PENDING) return;
    }
    if (r.ok()) return;
    if (r.status == FERRY_FENCED)
      throw FencedError("sink '" + slot.def->name + "' refused the commit of partition '" + d.partition +
                        "' as fenced: " + r.message);
    if (holds_batch(r.message)) {
      // The commit landed and only its answer was lost: writing the batch
      // again would store it twice.
      log_info("the commit landed although the sink answered '" + r.message + "'; not writing the batch again",
               run_.fields(d.partition, slot.def->name));
      try {
        slot.instance->abort();
      } catch (const std::exception&) {
      }
      return;
    }
    if (attempt >= slot.def->retry.max_attempts)
      throw Error("sink '" + slot.def->name + "' could not commit after " + std::to_string(attempt) +
                  " attempts: " + r.message);
    log_warn("commit failed, writing the batch again: " + r.message, run_.fields(d.partition, slot.def->name));
    slot.instance->abort();
    if (!sleep_unless_stopping(slot.backoff->delay_ms(attempt, r.retry_after_ms), &run_.stop)) throw CancelledError();
    if (!write_again(i, b, rewritten)) return;
  }
}

std::vector<SinkOutcome> CommitCore::deliver(const Delivery& d, Accounting& accounting) {
  if (!in_flight_.empty()) throw Error("internal: a batch delivered while others are in flight");
  ++counts_.batches;
  if (run_.dry_run()) {
    counts_.written += static_cast<int64_t>(d.batch->n_rows);
    return {};
  }
  std::unique_ptr<Batch> b = start(d, accounting, false);
  return settle(*b);
}

std::unique_ptr<CommitCore::Batch> CommitCore::start(const Delivery& d, Accounting& accounting, bool defer) {
  auto owned = std::make_unique<Batch>();
  Batch& b = *owned;
  b.d = d;
  b.accounting = &accounting;
  b.pending.assign(sinks_.size(), false);
  b.awaited.assign(sinks_.size(), std::nullopt);
  b.write_again.assign(sinks_.size(), false);
  b.landed.assign(sinks_.size(), false);

  sinks_.reopen_down();
  // A sink that takes one writer at a time is this worker's from the
  // batch's first write until its state is saved (hooks run after).
  b.hold.emplace(sinks_.hold());
  std::vector<SinkOutcome>& outcomes = b.outcomes;
  try {
    check_lock();  // before anything reaches a sink
    outcomes = write_all(d);
  } catch (...) {
    // A fatal write, or a stop during a retry wait: nothing of this batch
    // may commit, in any sink.
    abort_staged(outcomes, d);
    throw;
  }

  if (d.apply_policy && !policy_holds(b)) {
    abort_staged(outcomes, d);
    throw policy_failure(b);
  }
  for (size_t i = 0; i < sinks_.size(); ++i)
    if (outcomes[i].state == State::Failed && sinks_[i].instance) {
      try {
        sinks_[i].instance->abort();
      } catch (const std::exception& e) {
        log_warn(std::string("abort failed: ") + e.what(), run_.fields(d.partition, sinks_[i].def->name));
      }
    }

  for (size_t i = 0; i < sinks_.size(); ++i)
    if (outcomes[i].state == State::Committed) b.committing.push_back(i);

  try {
    account(b);
    if (intent_needed(b)) {
      run_.state.save_intent(run_.def.name, d.partition, encode_intent(b.intent), d.fence);
      b.saved = true;
    }
    for (size_t i : b.committing)
      commit_one(i, b, [&] { re_account(b); }, std::nullopt, defer && sinks_[i].instance->defers_commits());
  } catch (...) {
    abort_staged(outcomes, d);
    // Pending commits are awaited in order, the earlier batches' first.
    abandon();
    drain(b);
    throw;
  }
  return owned;
}

void CommitCore::account(Batch& b) {
  const Delivery& d = b.d;
  const FerryBatch& batch = *d.batch;
  CommitRecord& record = b.record;
  CommitIntent& intent = b.intent;
  record = CommitRecord{};
  record.pipeline = run_.def.name;
  record.partition = d.partition;
  record.fence = d.fence;
  intent = CommitIntent{};
  intent.kind = d.kind;
  intent.run_id = run_.run_id;
  intent.from = d.from;
  intent.to = d.to;
  intent.source_rows = d.source_rows;
  intent.schema_version = d.schema_version;
  size_t fewest_rejected = batch.n_rows;
  for (size_t i : b.committing) {
    if (b.outcomes[i].state != State::Committed) continue;
    const int64_t accepted = static_cast<int64_t>(batch.n_rows - b.outcomes[i].rejected.size());
    record.acks.emplace_back(sinks_[i].def->name, accepted);
    intent.sinks.push_back(sinks_[i].def->name);
    intent.accepted.push_back(accepted);
    fewest_rejected = std::min(fewest_rejected, b.outcomes[i].rejected.size());
  }
  record.records = static_cast<int64_t>(batch.n_rows - fewest_rejected);
  intent.records = record.records;
  if (d.store_checkpoint) {
    Checkpoint c;
    c.pipeline = run_.def.name;
    c.partition = d.partition;
    c.position = d.to;
    c.run_id = run_.run_id;
    c.schema_version = d.schema_version;
    record.checkpoint = std::move(c);
  }
  b.accounting->account(b.outcomes, record, intent);
  record.run_id = run_.run_id;
  record.progress.read = d.source_rows > 0 ? d.source_rows : static_cast<int64_t>(batch.n_rows);
  record.progress.written = record.records;
  record.progress.rejected = static_cast<int64_t>(record.add.size());
  record.progress.batches = 1;
  if (d.held_by) {
    for (size_t i = 0; i < d.held_by->sinks.size(); ++i) {
      record.acks.emplace_back(d.held_by->sinks[i], d.held_by->accepted[i]);
      intent.sinks.push_back(d.held_by->sinks[i]);
      intent.accepted.push_back(d.held_by->accepted[i]);
    }
    record.add.insert(record.add.end(), d.held_by->add.begin(), d.held_by->add.end());
    intent.add.insert(intent.add.end(), d.held_by->add.begin(), d.held_by->add.end());
  }
}

// After a crash, only a transactional sink can tell whether it committed
// the batch, and the intent is what lets the next run finish the commit
// (checkpoint, counts, DLQ entries) or deliver the batch to the sinks that
// lack it. Without a transactional sink a batch in doubt simply comes
// again, which idempotent sinks absorb: no intent is needed.
bool CommitCore::intent_needed(const Batch& b) const {
  for (size_t i : b.committing)
    if (b.outcomes[i].state == State::Committed && sinks_[i].transactional) return true;
  return b.d.held_by != nullptr;  // the intent that names the holders stays true
}

bool CommitCore::policy_holds(const Batch& b) const {
  std::vector<bool> acked;
  for (const SinkOutcome& o : b.outcomes) acked.push_back(o.state != State::Failed);
  return commit_policy_met(run_.def, acked);
}

Error CommitCore::policy_failure(const Batch& b) const {
  std::string why;
  for (size_t i = 0; i < sinks_.size(); ++i)
    if (b.outcomes[i].state == State::Failed) why += "; sink '" + sinks_[i].def->name + "': " + b.outcomes[i].failure;
  return Error("commit policy '" + commit_policy_text(run_.def.commit_policy) + "' not met in partition '" +
               b.d.partition + "'; the checkpoint stays where it was" + why);
}

// After a sink's outcome changed: the policy again, and the intent a crash
// would be recovered from.
void CommitCore::re_account(Batch& b) {
  if (b.d.apply_policy && !policy_holds(b)) throw policy_failure(b);
  account(b);
  if (b.saved || intent_needed(b)) {
    run_.state.save_intent(run_.def.name, b.d.partition, encode_intent(b.intent), b.d.fence);
    b.saved = true;
  }
}

std::vector<SinkOutcome> CommitCore::settle(Batch& b) {
  const Delivery& d = b.d;
  const FerryBatch& batch = *d.batch;
  const std::vector<SinkOutcome>& outcomes = b.outcomes;
  try {
    for (size_t i : b.committing) {
      if (!b.pending[i] && !b.write_again[i]) continue;
      if (b.outcomes[i].state != State::Committed) continue;
      settle_pending(i, b);
    }
  } catch (...) {
    // A batch written again may be staged: it must not commit with another.
    abort_staged(b.outcomes, d);
    throw;
  }
  CommitRecord& record = b.record;
  // Without an intent to remove, the commit may wait to be saved with later
  // ones (run_commit_wait_ms); the store refuses any that adds to the DLQ.
  if (!b.saved && d.kind == IntentKind::Run && d.held_by == nullptr) record.may_wait_ms = may_wait_ms_;
  run_.state.finish_commit(record);
  b.hold.reset();

  int64_t rejected = 0;
  for (size_t i = 0; i < sinks_.size(); ++i) {
    const SinkOutcome& o = outcomes[i];
    if (o.state != State::Committed && o.state != State::Failed) continue;
    rejected += static_cast<int64_t>(o.rejected.size());
    counts_.retries += static_cast<int64_t>(o.retries);
    counts_.extra_writes += static_cast<int64_t>(o.extra_writes);
    const std::string& name = sinks_[i].def->name;
    if (o.extra_writes)
      log_info("isolated " + std::to_string(o.rejected.size()) + " bad record(s) with " +
                   std::to_string(o.extra_writes) + " extra writes",
               run_.fields(d.partition, name));
    if (o.state == State::Committed) {
      run_.count("ferry_records_written_total", run_.labels({{"sink", name}}),
                 static_cast<double>(batch.n_rows - o.rejected.size()));
    }
    run_.count("ferry_records_rejected_total", run_.labels({{"stage", name}}), static_cast<double>(o.rejected.size()));
    run_.count("ferry_retries_total", run_.labels({{"sink", name}}), static_cast<double>(o.retries));
  }
  counts_.rejected += rejected;
  counts_.written += record.records;
  run_.count("ferry_batches_total", run_.labels());
  if (d.store_checkpoint && run_.options.metrics)
    run_.options.metrics->set(
        "ferry_checkpoint_timestamp_seconds", run_.labels({{"partition", d.partition}}),
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());

  for (size_t i = 0; i < sinks_.size(); ++i) {
    const SinkOutcome& o = outcomes[i];
    if ((o.state == State::Committed || o.state == State::Failed) && !o.rejected.empty())
      hooks_.failed(batch, sinks_[i].def->name, o.rejected);
  }
  for (size_t i = 0; i < sinks_.size(); ++i)
    if (outcomes[i].state == State::Committed) hooks_.committed(batch, sinks_[i].def->name, d.to, outcomes[i].rejected);
  return outcomes;
}

}  // namespace ferry::core
