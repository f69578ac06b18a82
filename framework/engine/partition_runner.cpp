#include "engine/partition_runner.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>
#include <set>

#include <ferry/plugin.hpp>

#include "common/log.h"
#include "engine/commit_intent.h"
#include "engine/dead_letters.h"
#include "engine/schema_fingerprint.h"

namespace ferry::core {
namespace {

// How often, at the most, a partition's state is synced to tell its source
// the newest durable checkpoint (ABI 1.8 acknowledgements).
constexpr std::chrono::milliseconds kAcknowledgeEvery{1000};

using Clock = std::chrono::steady_clock;
using State = SinkOutcome::State;

// What the DLQ must say about a batch of an ordinary run: the errant
// records and transform rejects it carried (addressed to no sink), and
// every row each sink refused or could not take (addressed to that sink).
class RunAccounting final : public Accounting {
 public:
  RunAccounting(const RunContext& run, const SinkSet& sinks, const FerryBatch& batch, const std::string& key,
                std::vector<DlqEntry> early)
      : run_(run), sinks_(sinks), batch_(batch), key_(key), early_(std::move(early)) {}

  void account(const std::vector<SinkOutcome>& outcomes, CommitRecord& record, CommitIntent& intent) override {
    record.add = early_;
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const SinkOutcome& o = outcomes[i];
      if (o.state != State::Committed && o.state != State::Failed) continue;
      const std::string& sink = sinks_[i].def->name;
      for (const RowFailure& f : o.rejected) record.add.push_back(row_entry(run_, batch_, f.row, key_, sink, sink, f));
    }
    intent.add = record.add;
  }

 private:
  const RunContext& run_;
  const SinkSet& sinks_;
  const FerryBatch& batch_;
  const std::string& key_;
  std::vector<DlqEntry> early_;
};

}  // namespace

PartitionRunner::Resume PartitionRunner::settle_interrupted_commit(const std::string& partition,
                                                                   const std::string& key, const std::string& body,
                                                                   const std::optional<Fence>& fence) {
  RunContext& run = w_.run;
  const CommitIntent intent = decode_intent(body);
  Resume out;
  out.holders.assign(w_.sinks.size(), false);
  std::set<std::string> holding;
  for (size_t i = 0; i < w_.sinks.size(); ++i) {
    SinkSlot& slot = w_.sinks[i];
    const bool committing =
        std::find(intent.sinks.begin(), intent.sinks.end(), slot.def->name) != intent.sinks.end();
    if (!committing || !slot.transactional) continue;
    if (!slot.instance)
      throw Error("partition '" + key + "' has a batch whose commit was cut short, and sink '" + slot.def->name +
                  "', which may hold it, cannot be reached to ask (" + slot.down_reason +
                  "). Giving the batch to the other sinks now could write it twice; run again once the sink "
                  "is back");
    if (slot.instance->held_checkpoint(key) != std::optional<std::string>(intent.to)) continue;
    out.holders[i] = true;
    holding.insert(slot.def->name);
  }
  const bool all = !intent.sinks.empty() && holding.size() == intent.sinks.size();
  if (all) {
    CommitRecord record;
    record.pipeline = run.def.name;
    record.partition = key;
    record.fence = fence;
    for (size_t i = 0; i < intent.sinks.size(); ++i) record.acks.emplace_back(intent.sinks[i], intent.accepted[i]);
    // Every sink committed the batch; only the state store missed it.
    Checkpoint c;
    c.pipeline = run.def.name;
    c.partition = key;
    c.position = intent.to;
    c.run_id = intent.run_id;
    c.schema_version = intent.schema_version;
    record.checkpoint = c;
    record.records = intent.records;
    record.add = intent.add;
    run.state.finish_commit(record);
    log_info("finished the commit of a batch that an interrupted run had left in every sink",
             run.fields(partition));
    out.position = intent.to;
    out.holders.assign(w_.sinks.size(), false);
    return out;
  }
  // The batch comes again, to the sinks that lack it; its commit then
  // counts the holders too and keeps the rows they refused in the DLQ
  // (everything else about its rows is found out again). Until then the
  // intent stays: a crash before that commit finds the same holders.
  out.position = intent.from;
  for (size_t i = 0; i < intent.sinks.size(); ++i)
    if (holding.count(intent.sinks[i])) {
      out.held_by.sinks.push_back(intent.sinks[i]);
      out.held_by.accepted.push_back(intent.accepted[i]);
    }
  // A holder's refusals, and the source's errant records: the batch read
  // again may end its rows before them (its end is where the holders say),
  // and they would then come only with the next batch, after this one's
  // checkpoint passed them. Reported again, they are stored once (dedup).
  for (const DlqEntry& e : intent.add)
    if (holding.count(e.sink) || (e.sink.empty() && e.dedup)) out.held_by.add.push_back(e);
  if (!holding.empty()) {
    out.held.push_back(HeldRows{intent.source_rows, intent.to, true, std::nullopt, std::nullopt});
    std::string names;
    for (const std::string& s : holding) names += (names.empty() ? "'" : ", '") + s + "'";
    log_info("an interrupted run left a batch in " + names + " only; delivering it again to the other sinks",
             run.fields(partition));
  }
  return out;
}

PartitionRunner::Resume PartitionRunner::resume(const std::string& partition, const std::string& key,
                                                const std::optional<Fence>& fence) {
  RunContext& run = w_.run;
  if (run.dry_run()) {
    Resume r;
    if (auto stored = run.state.load_checkpoint(run.def.name, key)) {
      r.position = stored->position;
      r.records = stored->records;
    }
    return r;
  }
  // Asking the sinks what they hold is using them.
  const SinkSet::Hold hold = w_.sinks.hold();
  if (std::optional<std::string> body = run.state.load_intent(run.def.name, key))
    return settle_interrupted_commit(partition, key, *body, fence);

  Resume r;
  r.holders.assign(w_.sinks.size(), false);
  std::optional<Checkpoint> stored = run.state.load_checkpoint(run.def.name, key);
  if (stored) {
    r.position = stored->position;
    r.records = stored->records;
    schema_version_ = stored->schema_version;
    // One transactional sink saves no intent: the state store may lag the
    // checkpoint it holds by the batch it committed last.
    if (w_.sinks.size() == 1 && w_.sinks[0].transactional && w_.sinks[0].instance) {
      std::optional<std::string> held = w_.sinks[0].instance->held_checkpoint(key);
      if (held && *held != stored->position) {
        log_info("resuming from the checkpoint held by sink '" + w_.sinks[0].def->name + "'", run.fields(partition));
        r.position = held;
      }
    }
    return r;
  }
  // No checkpoint here: a new partition, a reset one, or a lost state store.
  if (run.state.was_reset(run.def.name, key)) return r;
  for (SinkSlot& slot : w_.sinks) {
    if (!slot.transactional || !slot.instance) continue;
    if (std::optional<std::string> held = slot.instance->held_checkpoint(key)) {
      throw Error("the state store has no checkpoint for partition '" + key + "' of pipeline '" + run.def.name +
                  "', but sink '" + slot.def->name + "' holds one (position '" + *held +
                  "'): the state store was lost or replaced, and its DLQ and run history with it. Restore it; or run "
                  "`ferry checkpoint reset` on the pipeline (--partition to name one) to read the partition again "
                  "from the start, delivering it again to every sink");
    }
  }
  return r;
}

void PartitionRunner::add_cuts_in_doubt(const std::string& partition, const std::string& key, Resume& r) {
  RunContext& run = w_.run;
  logs_cuts_ = false;
  if (run.dry_run()) return;
  for (const SinkDef& s : run.def.sinks) logs_cuts_ = logs_cuts_ || run.plugins.require(s.plugin).sink_named_by_batch();
  if (!logs_cuts_) return;
  const std::optional<std::string> saved = run.state.load_cuts(run.def.name, key);
  if (!saved) return;
  std::vector<BatchCut> doubt = cuts_in_doubt(decode_cuts(*saved), r.position);
  if (doubt.empty()) return;
  // The batch of a commit intent is held already, cut the same way.
  const bool intent_first = !r.held.empty() && doubt.front().to == r.held.front().end_position;
  for (size_t i = intent_first ? 1 : 0; i < doubt.size(); ++i)
    r.held.push_back(HeldRows{doubt[i].source_rows, doubt[i].to, false,
                              std::make_pair(doubt[i].first, doubt[i].last), doubt[i].to});
  r.cuts = std::move(doubt);
  log_info(std::to_string(r.cuts.size()) + " batch(es) an interrupted run delivered come again cut as before",
           run.fields(partition));
}

void PartitionRunner::fence_sinks(const std::string& key, const Lease& lease) {
  const SinkSet::Hold hold = w_.sinks.hold();
  for (SinkSlot& slot : w_.sinks) {
    if (!slot.transactional) continue;
    if (!slot.instance)
      throw Error("partition '" + key + "' cannot be taken over: sink '" + slot.def->name +
                  "' must be fenced first, so that the worker that held it cannot commit any more, and it cannot "
                  "be reached (" + slot.down_reason + ")");
    try {
      slot.instance->fence(key, static_cast<uint64_t>(lease.token));
    } catch (const PluginCallError& e) {
      if (e.status() != FERRY_FENCED) throw;
      if (!w_.run.leases->holds(lease)) throw FencedError(e.what());
      // The lease is this worker's, yet the sink saw a larger token than
      // the state store ever handed out: the state store is older than the
      // sink's table. Taking the partition again would only repeat this.
      throw Error("sink '" + slot.def->name + "' was fenced with a token newer than this worker's lease of partition '" +
                  key + "' (" + std::to_string(lease.token) +
                  "), which the state store handed out just now: was the state store restored from an older backup, "
                  "or replaced, while the sink's checkpoint table stayed? Restore the matching state store, or "
                  "advance its fence_tokens sequence past the sink's largest fence (" + e.what() + ")");
    }
  }
}

void PartitionRunner::track_schema(const FerryBatch& batch, const std::string& key) {
  if (batch.n_rows == 0 && batch.schema.n_fields == 0) return;  // an all-rejected batch says nothing
  const std::string version = schema_fingerprint(batch.schema);
  if (version == schema_version_) return;
  const bool first = schema_version_.empty();
  schema_version_ = version;
  RunContext& run = w_.run;
  if (run.dry_run()) return;
  SchemaVersion v;
  v.pipeline = run.def.name;
  v.partition = key;
  v.version = version;
  v.fields_json = schema_json(batch.schema);
  v.began_after = last_end_;
  if (!run.state.record_schema_version(v) || first) return;
  // A version not seen before in this partition, after another one.
  run.count("ferry_schema_changes_total", run.labels({{"partition", v.partition}}));
  log_info("schema changed to version " + version + " " + v.fields_json + " after position '" + last_end_ + "'",
           run.fields(partition_));
}

void PartitionRunner::add_lineage(BatchChain& chain) {
  RunContext& run = w_.run;
  const FerryBatch& in = chain.back();
  ferry::BatchBuilder b;
  for (size_t f = 0; f < in.schema.n_fields; ++f) {
    const FerryField& field = in.schema.fields[f];
    b.add_field(std::string_view(field.name.data, field.name.size), field.type, field.flags);
  }
  const size_t n = in.schema.n_fields;
  const size_t f_pipeline = b.add_field("ferry_pipeline", FERRY_TYPE_STRING, 0);
  const size_t f_run = b.add_field("ferry_run_id", FERRY_TYPE_STRING, 0);
  const size_t f_batch = b.add_field("ferry_batch_id", FERRY_TYPE_STRING, 0);
  const size_t f_position = b.add_field("ferry_position", FERRY_TYPE_STRING, 0);
  const size_t f_schema = b.add_field("ferry_schema_version", FERRY_TYPE_STRING, 0);
  const size_t f_time = b.add_field("ferry_ingested_at", FERRY_TYPE_TIMESTAMP, 0);
  // Numbered across the run's workers, so an id names one batch.
  const std::string batch_id = run.run_id + "-" + std::to_string(++run.next_batch_id);
  // Ingestion time is the one wall-clock value Ferry writes: it says when,
  // not what, and is left out unless lineage is asked for.
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  b.reserve(in.n_rows);
  for (size_t r = 0; r < in.n_rows; ++r) {
    const FerryRecordMeta& m = in.records[r];
    size_t row = b.add_row(std::string_view(m.key.data, m.key.size),
                           std::string_view(m.position.data, m.position.size), m.op);
    for (size_t f = 0; f < n; ++f) b.set_value(row, f, in.values[r * n + f]);
    b.set_string(row, f_pipeline, run.def.name);
    b.set_string(row, f_run, run.run_id);
    b.set_string(row, f_batch, batch_id);
    b.set_string(row, f_position, std::string_view(m.position.data, m.position.size));
    b.set_string(row, f_schema, schema_version_);
    b.set_timestamp(row, f_time, now_us);
  }
  FerryBatch out{};
  b.finish(&out, std::string_view(in.partition.data, in.partition.size),
           std::string_view(in.end_position.data, in.end_position.size));
  chain.push(out);
}

void PartitionRunner::run(const std::string& partition, const Lease* lease) {
  RunContext& run = w_.run;
  partition_ = partition;
  w_.current_partition = partition;
  const std::string key = run.checkpoint_key(partition);
  std::optional<Fence> fence;
  if (lease) {
    // Before anything is read: a commit of the previous holder still on
    // its way lands now or never, and the checkpoints read next are final.
    fence_sinks(key, *lease);
    fence = Fence{key, lease->token};
  }
  estimate_ = 0;
  if (auto est = w_.source->estimate(partition)) estimate_ = est->first == UINT64_MAX ? 0 : est->first;
  schema_version_.clear();
  Resume from = resume(partition, key, fence);
  add_cuts_in_doubt(partition, key, from);
  if (run.show_progress()) run.progress.started(partition, estimate_, from.records);
  last_end_ = from.position.value_or("");
  std::optional<std::string> before = from.position;  // the checkpoint before the next batch
  // A source may release what precedes its start position upstream as it
  // would on an acknowledgement (postgres-cdc confirms it to its slot):
  // that checkpoint, too, must be one a power cut cannot take back.
  if (w_.source->takes_acknowledgements()) run.state.sync();
  if (std::optional<std::string> descriptor = run.partitions.descriptor(partition)) {
    w_.source->start(partition, *descriptor, from.position);
  } else {
    w_.source->start(partition, from.position);
  }

  BoundedQueue<std::unique_ptr<ReadItem>> queue(run.def.queue_depth);
  BatchReader reader(w_, partition, from.held);
  // The cuts saved for batches in flight, the ones in doubt first: a batch
  // comes again cut as they say, and every batch a sink named by batch
  // commits is saved here first. The store saves the commits that wait
  // before any other operation, so once a save of the cuts returned, every
  // batch settled before it is checkpointed: its cut goes at the next save.
  // So they stay as few as the batches in flight.
  std::vector<BatchCut> cuts = from.cuts;
  std::optional<std::string> settled_to;  // the end of the last batch settled
  std::optional<std::string> saved_to;    // ... of those, the last one known saved
  auto save_cut = [&](const Delivery& d, const FerryBatch& source_batch, const std::optional<std::string>& recut_of) {
    if (saved_to) {
      const auto last = std::find_if(cuts.begin(), cuts.end(), [&](const BatchCut& c) { return c.to == *saved_to; });
      if (last != cuts.end()) cuts.erase(cuts.begin(), last + 1);
    }
    // A batch in doubt comes again with the cut it has here already, its
    // rows the same, but perhaps ending elsewhere: where the source batch
    // with its last row ends now. The cut after it then starts there.
    const auto again = recut_of ? std::find_if(cuts.begin(), cuts.end(), [&](const BatchCut& c) { return c.to == *recut_of; })
                                : cuts.end();
    if (again != cuts.end()) {
      again->to = d.to;
      again->source_rows = d.source_rows;
      if (again + 1 != cuts.end()) (again + 1)->from = d.to;
    } else if (std::none_of(cuts.begin(), cuts.end(), [&](const BatchCut& c) { return c.to == d.to; })) {
      const size_t n = source_batch.n_rows;
      cuts.push_back(BatchCut{d.from, d.to, d.source_rows, n ? to_string(source_batch.records[0].position) : "",
                              n ? to_string(source_batch.records[n - 1].position) : ""});
    }
    const std::optional<std::string> settled_before = settled_to;
    run.state.save_cuts(run.def.name, key, encode_cuts(cuts), fence);
    saved_to = settled_before;
  };
  QueueProducer<std::unique_ptr<ReadItem>> producer(queue, [&] { reader.run(queue); });

  // Batches whose commit a sink acknowledges later (commit_core.h) stay
  // here, with what they carried, until they settle in order: at most
  // queue_depth of them while the next one is written, and none once the
  // reader has nothing new (a quiet source must not hold its checkpoint
  // and acknowledgements back).
  struct Unsettled {
    std::unique_ptr<ReadItem> item;
    std::unique_ptr<RunAccounting> accounting;
    std::string to;
    int64_t transform_rejected = 0;
  };
  std::deque<Unsettled> unsettled;
  // A partition that ends by an error forgets the batches in flight: none
  // of them was checkpointed, and the next run reads them again.
  struct Abandon {
    CommitCore& core;
    ~Abandon() { core.abandon(); }
  } abandon{w_.core};
  const bool defer = w_.core.may_defer();
  const std::chrono::milliseconds wait(w_.core.may_wait_ms());
  // A source told of a checkpoint may release what precedes it upstream
  // (ABI 1.8), where no later run could read it again. So it hears only of
  // checkpoints the state store holds durably: saved (no commit of the
  // partition waits) and synced (a power cut cannot take them back). While
  // batches queue up, one sync (and the newest checkpoint passed on) per
  // kAcknowledgeEvery at the most: a sync per batch would cap a fast source
  // at the disk's sync rate. Once the queue is idle, at once.
  const bool acknowledges = w_.source->takes_acknowledgements() && !run.dry_run();
  std::optional<std::string> unacknowledged;
  Clock::time_point acknowledge_at{};
  auto acknowledge_saved = [&] {
    if (!unacknowledged || run.state.commits_waiting(run.def.name, key)) return;
    if (!queue.idle() && Clock::now() < acknowledge_at) return;
    run.state.sync();
    reader.acknowledge(*std::exchange(unacknowledged, {}));
    acknowledge_at = Clock::now() + kAcknowledgeEvery;
  };
  auto save_waiting = [&] {
    run.state.save_waiting_commits();
    acknowledge_saved();
  };
  auto settled = [&](const Unsettled& u) {
    if (logs_cuts_) settled_to = u.to;
    w_.counts.rejected += u.transform_rejected;
    for (const TransformRejects& t : u.item->rejects)
      w_.hooks.failed(u.item->chain->at(t.input), w_.transforms.name(t.transform), t.rows);
    if (acknowledges) unacknowledged = u.to;  // passed on by acknowledge_saved
    if (run.show_progress()) run.progress.read(partition, u.item->source_rows);
  };
  auto settle_oldest = [&] {
    w_.core.settle_oldest();
    settled(unsettled.front());
    unsettled.pop_front();
  };

  for (;;) {
    while (!unsettled.empty() && queue.idle()) settle_oldest();
    // A quiet source: commits waiting in the store are saved once no batch
    // came for as long as they may wait, not held back until it speaks
    // again. (A busy one saves them with a later commit.)
    if (wait > std::chrono::milliseconds(0) && !queue.wait_for_item(wait)) save_waiting();
    // Before waiting for the next batch: a checkpoint held back for the next
    // sync goes now that the queue ran dry.
    acknowledge_saved();
    std::optional<std::unique_ptr<ReadItem>> popped = queue.pop();
    if (!popped) break;
    ReadItem& item = **popped;
    if (item.error) {
      // What was read before the error is written: it settles first.
      while (!unsettled.empty()) settle_oldest();
      std::rethrow_exception(item.error);
    }
    if (item.end) break;
    BatchChain& chain = *item.chain;
    track_schema(chain.front(), key);
    if (run.def.lineage) add_lineage(chain);
    const FerryBatch& batch = chain.back();

    // Errant records and transform rejects commit with the batch.
    std::vector<DlqEntry> early = std::move(item.errants);
    int64_t transform_rejected = 0;
    for (const TransformRejects& t : item.rejects) {
      const std::string& stage = w_.transforms.name(t.transform);
      for (const RowFailure& f : t.rows) early.push_back(row_entry(run, chain.at(t.input), f.row, key, stage, "", f));
      transform_rejected += static_cast<int64_t>(t.rows.size());
    }
    Delivery d;
    d.batch = &batch;
    d.partition = key;
    d.kind = IntentKind::Run;
    d.from = before;
    d.to = to_string(batch.end_position);
    d.schema_version = schema_version_;
    d.source_rows = item.source_rows;
    d.fence = fence;
    d.start.assign(w_.sinks.size(), State::Committed);
    d.in_doubt = item.held || item.recut_of.has_value();
    if (item.held) {
      for (size_t i = 0; i < from.holders.size(); ++i)
        if (from.holders[i]) d.start[i] = State::Holds;
      d.held_by = &from.held_by;
    }
    Unsettled u{std::move(*popped), std::make_unique<RunAccounting>(run, w_.sinks, batch, key, std::move(early)),
                d.to, transform_rejected};
    last_end_ = d.to;
    before = d.to;
    if (logs_cuts_) save_cut(d, chain.front(), item.recut_of);
    if (defer) {
      w_.core.begin(d, *u.accounting);
      unsettled.push_back(std::move(u));
      while (!unsettled.empty() && (unsettled.size() > run.def.queue_depth || w_.core.oldest_ready()))
        settle_oldest();
    } else {
      w_.core.deliver(d, *u.accounting);
      settled(u);
    }
    acknowledge_saved();
    if (run.stop.stopping()) break;
    if (lease && run.leases->lost(*lease))
      throw FencedError("the heartbeat found partition '" + key + "' taken over by another worker");
  }
  while (!unsettled.empty()) settle_oldest();
  // The reader has stopped: what it was not told stays for the next run.
  run.state.save_waiting_commits();
  if (run.show_progress() && !run.stop.stopping()) run.progress.finished(partition);
}

}  // namespace ferry::core
