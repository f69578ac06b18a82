#include "engine/replay_driver.h"

#include <algorithm>
#include <set>

#include "common/log.h"
#include "engine/commit_core.h"
#include "engine/dead_letters.h"
#include "engine/replay_reader.h"
#include "engine/record_json.h"

namespace ferry::core {
namespace {

using State = SinkOutcome::State;


// Each replayed row's fate, by entry: built from the sinks' outcomes. A
// sink that holds the batch already (a batch in doubt, delivered again)
// keeps what it took then, as the interrupted replay's intent says.
class ReplayAccounting final : public Accounting {
 public:
  ReplayAccounting(const SinkSet& sinks, std::vector<ReplayRow> rows, std::vector<size_t> row_of_output,
                   const std::vector<ReplayRow>* held = nullptr)
      : sinks_(sinks), rows_(std::move(rows)), row_of_output_(std::move(row_of_output)), held_(held) {}

  void account(const std::vector<SinkOutcome>& outcomes, CommitRecord& record, CommitIntent& intent) override {
    // Start from "every addressed sink took it", then take away.
    std::vector<ReplayRow>& rows = rows_;
    for (ReplayRow& row : rows)
      for (ReplayTarget& t : row.targets) {
        t.delivered = t.tried && row.failed_stage.empty();
        t.failure.clear();
        t.failure_class.clear();
      }
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const SinkOutcome& o = outcomes[i];
      if (o.state == State::NotAddressed) continue;
      const std::string& sink = sinks_[i].def->name;
      if (o.state == State::Holds) {
        keep_held(sink);
        continue;
      }
      for (const RowFailure& f : o.rejected) {
        if (f.row >= row_of_output_.size()) continue;
        if (ReplayTarget* t = target_of(rows[row_of_output_[f.row]], sink)) {
          t->delivered = false;
          t->failure = f.message;
          t->failure_class = f.error_class;
        }
      }
    }
    record.change.clear();
    record.add.clear();
    auto committed = [&](const std::string& sink) {
      for (size_t i = 0; i < outcomes.size(); ++i)
        if (sinks_[i].def->name == sink)
          return outcomes[i].state == State::Committed || outcomes[i].state == State::Holds;
      return false;
    };
    for (const ReplayRow& row : rows) settle_replay_row(row, committed, true, record);
    intent.rows = rows;
    counts_ = ReplayCounts{};
    for (const DlqChange& c : record.change) {
      if (c.status == DlqStatus::Resolved) ++counts_.resolved;
      if (c.status == DlqStatus::FailedAgain) ++counts_.failed_again;
    }
  }

  // What the last accounting settled.
  const ReplayCounts& counts() const { return counts_; }

 private:
  static ReplayTarget* target_of(ReplayRow& row, const std::string& sink) {
    for (ReplayTarget& t : row.targets)
      if (t.sink == sink) return &t;
    return nullptr;
  }

  // What `sink` took of each row when it committed the batch before. The
  // batch was built again from the intent's rows, in their order.
  void keep_held(const std::string& sink) {
    if (!held_) return;
    for (size_t i = 0; i < rows_.size(); ++i) {
      ReplayTarget* t = target_of(rows_[i], sink);
      if (!t) continue;
      // Taken only where the intent says so.
      t->delivered = false;
      if (i >= held_->size() || (*held_)[i].id != rows_[i].id) continue;
      for (const ReplayTarget& h : (*held_)[i].targets)
        if (h.sink == sink) {
          t->delivered = h.delivered;
          t->failure = h.failure;
          t->failure_class = h.failure_class;
        }
    }
  }

  const SinkSet& sinks_;
  std::vector<ReplayRow> rows_;
  std::vector<size_t> row_of_output_;  // row of the final batch -> rows_ index
  const std::vector<ReplayRow>* held_;
  ReplayCounts counts_;
};

// What the sinks that hold an intent's batch took of it.
HeldBy held_by(const CommitIntent& intent, const std::set<std::string>& holders) {
  HeldBy held;
  for (size_t i = 0; i < intent.sinks.size(); ++i)
    if (holders.count(intent.sinks[i])) {
      held.sinks.push_back(intent.sinks[i]);
      held.accepted.push_back(i < intent.accepted.size() ? intent.accepted[i] : 0);
    }
  return held;
}

int64_t count_resolved(const CommitRecord& r) {
  int64_t n = 0;
  for (const DlqChange& ch : r.change)
    if (ch.status == DlqStatus::Resolved) ++n;
  return n;
}

}  // namespace

std::set<std::string> ReplayDriver::holders(const CommitIntent& intent) {
  std::set<std::string> holding;
  const SinkSet::Hold hold = w_.sinks.hold();
  for (SinkSlot& slot : w_.sinks) {
    if (!slot.transactional) continue;
    if (std::find(intent.sinks.begin(), intent.sinks.end(), slot.def->name) == intent.sinks.end()) continue;
    if (!slot.instance)
      throw Error("an interrupted replay left a batch whose commit was cut short, and sink '" + slot.def->name +
                  "', which may hold it, cannot be reached to ask (" + slot.down_reason +
                  "); replay again once the sink is back");
    if (slot.instance->held_checkpoint(kReplayPartition) == std::optional<std::string>(intent.to))
      holding.insert(slot.def->name);
  }
  return holding;
}

bool ReplayDriver::names_output_by_batch(const std::vector<size_t>& sinks) const {
  return std::any_of(sinks.begin(), sinks.end(), [&](size_t i) {
    return w_.run.plugins.require(w_.run.def.sinks[i].plugin).sink_named_by_batch();
  });
}

void ReplayDriver::recover() {
  RunContext& run = w_.run;
  std::optional<std::string> body = run.state.load_intent(run.def.name, kReplayPartition);
  if (!body) return;
  const CommitIntent intent = decode_intent(*body);
  if (!intent.rows.empty()) {
    // An intent saved before the writes lists no sinks; one saved after
    // them lists those that committed, with the rows each took: only a
    // sink that took some may hold the batch.
    const auto took_some = [&](const std::string& sink) {
      if (intent.sinks.empty()) return true;
      for (size_t k = 0; k < intent.sinks.size(); ++k)
        if (intent.sinks[k] == sink && k < intent.accepted.size() && intent.accepted[k] > 0) return true;
      return false;
    };
    std::vector<size_t> targets, meant, may_hold;
    for (const ReplayTarget& t : intent.rows.front().targets)
      for (size_t i = 0; i < run.def.sinks.size(); ++i)
        if (run.def.sinks[i].name == t.sink) {
          meant.push_back(i);
          if (!t.tried) continue;
          targets.push_back(i);
          if (took_some(t.sink)) may_hold.push_back(i);
        }
    if (names_output_by_batch(may_hold)) return deliver_again(intent, std::move(targets), std::move(meant));
  }
  const std::set<std::string> holding = holders(intent);
  CommitRecord record;
  record.pipeline = run.def.name;
  record.partition = kReplayPartition;
  const HeldBy held = held_by(intent, holding);
  for (size_t i = 0; i < held.sinks.size(); ++i) record.acks.emplace_back(held.sinks[i], held.accepted[i]);
  for (const ReplayRow& row : intent.rows)
    settle_replay_row(row, [&](const std::string& s) { return holding.count(s) > 0; }, false, record);
  run.state.finish_commit(record);
  const int64_t recovered = count_resolved(record);
  counts_.already_done += recovered;
  if (recovered)
    log_info("an interrupted replay had delivered " + std::to_string(recovered) + " entr" +
                 (recovered == 1 ? "y" : "ies") + "; marked resolved",
             run.fields(kReplayPartition));
}

// A sink named by batch may hold the batch under a name made of its first
// and last entry ids. Settled entry by entry, the entries it lacks would
// be replayed later in other batches, under other names, and the ones it
// holds twice. So the batch comes again whole, to the same sinks, under
// the same token: a transactional sink that holds it keeps it, the others
// take it (a sink named by batch replaces its output).
void ReplayDriver::deliver_again(const CommitIntent& intent, std::vector<size_t> targets, std::vector<size_t> meant) {
  RunContext& run = w_.run;
  const auto cannot = [&](const std::string& why) {
    return Error("an interrupted replay left a batch of " + std::to_string(intent.rows.size()) +
                 " DLQ entries in doubt in a sink that names its output by batch, and it cannot be delivered again "
                 "as it was: " + why + ". Undo that change and replay again; or, to give the batch up (its entries "
                 "stay pending, and that sink may then get some of them a second time, under another name), run "
                 "`ferry checkpoint reset PIPELINE.json --partition " + kReplayPartition + "`");
  };
  std::vector<DlqEntry> entries;
  entries.reserve(intent.rows.size());
  for (const ReplayRow& row : intent.rows) {
    std::optional<DlqEntry> e = run.state.get_dlq(run.def.name, row.id);
    if (!e) throw cannot("the DLQ no longer has entry " + std::to_string(row.id));
    entries.push_back(std::move(*e));
  }
  ReplayReader reader(w_, DlqFilter{}, 0, std::nullopt);
  std::unique_ptr<ReplayGroup> group;
  try {
    group = reader.regroup(std::move(entries), std::move(targets), std::move(meant));
  } catch (const Error& e) {
    throw cannot(e.what());
  }
  // The sink named the batch after the rows the transforms let through:
  // only the same rows make the same name.
  for (size_t i = 0; i < intent.rows.size(); ++i)
    if (group->rows[i].failed_stage != intent.rows[i].failed_stage)
      throw cannot("the transforms now " + std::string(group->rows[i].failed_stage.empty() ? "let through" : "refuse") +
                   " DLQ entry " + std::to_string(intent.rows[i].id) + ", which they " +
                   (group->rows[i].failed_stage.empty() ? "refused" : "let through") + " then");
  InDoubt in_doubt{intent, holders(intent), {}};
  in_doubt.held_by = held_by(intent, in_doubt.holders);
  const ReplayCounts before = counts_;
  // Taken up by this replay whatever its selection: counted as selected, so
  // that "resolved" never exceeds it.
  counts_.selected += static_cast<int64_t>(group->entries.size());
  deliver(*group, &in_doubt);
  log_info("an interrupted replay left a batch of " + std::to_string(intent.rows.size()) + " entr" +
               (intent.rows.size() == 1 ? "y" : "ies") + " in doubt in a sink that names its output by batch: "
               "delivered again as it was (" + std::to_string(counts_.resolved - before.resolved) + " resolved, " +
               std::to_string(counts_.failed_again - before.failed_again) + " failed again)",
           run.fields(kReplayPartition));
}

std::set<int64_t> replay_entries_in_doubt(StateStore& state, const std::string& pipeline) {
  std::set<int64_t> ids;
  if (std::optional<std::string> body = state.load_intent(pipeline, kReplayPartition))
    for (const ReplayRow& row : decode_intent(*body).rows) ids.insert(row.id);
  return ids;
}

std::optional<std::string> replay_refused(const PipelineDef& def, const ReplayOptions& ro) {
  if (ro.sink && std::none_of(def.sinks.begin(), def.sinks.end(), [&](const auto& s) { return s.name == *ro.sink; }))
    return "pipeline '" + def.name + "' has no sink named '" + *ro.sink + "'";
  const DlqFilter& filter = ro.filter;
  if (!filter.status) return "a replay selects entries by status: pending or failed_again";
  if (filter.status == DlqStatus::Resolved)
    return "entries marked resolved are not replayed: they are in their sinks already, and delivering them "
           "again would write them twice";
  if (filter.status == DlqStatus::Discarded)
    return "entries marked discarded are not replayed: a discarded entry stays discarded";
  return std::nullopt;
}

void ReplayDriver::run() {
  RunContext& run = w_.run;
  const ReplayOptions& ro = *run.options.replay;
  if (std::optional<std::string> why = replay_refused(run.def, ro)) throw Error(*why);
  w_.current_partition = kReplayPartition;
  std::optional<size_t> named;
  for (size_t i = 0; ro.sink && i < run.def.sinks.size(); ++i)
    if (run.def.sinks[i].name == *ro.sink) named = i;
  // Entries this replay adds (copies for sinks that still lack a record,
  // also those its recovery adds) wait for the next replay.
  const int64_t last_id = run.state.last_dlq_id(run.def.name);
  // Before reading: the entries an interrupted replay delivered are
  // resolved first, so they are not selected again.
  if (!run.dry_run()) recover();

  DlqFilter filter = ro.filter;
  filter.pipeline = run.def.name;
  filter.limit = static_cast<int64_t>(std::max<uint64_t>(run.def.max_batch_records, 1));
  // With several sinks an entry may be copied for the sinks that still lack
  // it, which needs all of it.
  filter.replay_fields_only = run.def.sinks.size() == 1;

  BoundedQueue<std::unique_ptr<ReplayGroup>> queue(run.def.queue_depth);
  ReplayReader reader(w_, std::move(filter), last_id, named);
  QueueProducer<std::unique_ptr<ReplayGroup>> producer(queue, [&] { reader.run(queue); });

  // Counted here, as groups are delivered: a stop leaves what the reader
  // read ahead pending and uncounted, for the next replay.
  while (std::optional<std::unique_ptr<ReplayGroup>> popped = queue.pop()) {
    ReplayGroup& group = **popped;
    if (group.error) std::rethrow_exception(group.error);
    counts_.selected += group.skipped_before;
    counts_.skipped += group.skipped_before;
    if (group.end) break;
    counts_.selected += static_cast<int64_t>(group.entries.size());
    w_.counts.read += static_cast<int64_t>(group.entries.size());
    for (const TransformRejects& t : group.rejects) w_.counts.rejected += static_cast<int64_t>(t.rows.size());
    deliver(group);
    if (run.stop.stopping()) break;
  }
}

void ReplayDriver::deliver(ReplayGroup& group, const InDoubt* in_doubt) {
  RunContext& run = w_.run;
  const std::vector<DlqEntry>& entries = group.entries;
  BatchChain& chain = *group.chain;
  if (!run.dry_run())
    for (const TransformRejects& t : group.rejects) w_.hooks.failed(chain.at(t.input), w_.transforms.name(t.transform), t.rows);
  const std::vector<size_t>& row_of = group.row_of;

  Delivery d;
  d.batch = &chain.back();
  d.partition = kReplayPartition;
  d.kind = IntentKind::Replay;
  d.to = in_doubt ? in_doubt->intent.to : run.run_id + ":" + std::to_string(++seq_);
  d.store_checkpoint = false;
  d.apply_policy = false;
  d.start.assign(w_.sinks.size(), State::NotAddressed);
  for (size_t t : group.targets)
    d.start[t] = in_doubt && in_doubt->holders.count(run.def.sinks[t].name) ? State::Holds : State::Committed;
  if (in_doubt) {
    d.in_doubt = true;
    if (!in_doubt->held_by.sinks.empty()) d.held_by = &in_doubt->held_by;
  }
  if (run.dry_run()) {
    ReplayAccounting accounting(w_.sinks, std::move(group.rows), row_of);
    counts_.resolved += static_cast<int64_t>(row_of.size());
    counts_.failed_again += static_cast<int64_t>(entries.size() - row_of.size());
    w_.core.deliver(d, accounting);
    return;
  }
  // A sink named by batch may show the batch before anything commits it:
  // the intent is saved before it is written, so that a crash leaves the
  // batch to come again as it was (deliver_again).
  if (!in_doubt && names_output_by_batch(group.targets)) {
    CommitIntent before;
    before.kind = IntentKind::Replay;
    before.run_id = run.run_id;
    before.to = d.to;
    before.rows = group.rows;
    run.state.save_intent(run.def.name, kReplayPartition, encode_intent(before), std::nullopt);
  }
  ReplayAccounting accounting(w_.sinks, std::move(group.rows), row_of, in_doubt ? &in_doubt->intent.rows : nullptr);
  w_.core.deliver(d, accounting);
  counts_.resolved += accounting.counts().resolved;
  counts_.failed_again += accounting.counts().failed_again;
}

}  // namespace ferry::core
