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


// Each replayed row's fate, by entry: built from the sinks' outcomes.
class ReplayAccounting final : public Accounting {
 public:
  ReplayAccounting(const SinkSet& sinks, std::vector<ReplayRow> rows, std::vector<size_t> row_of_output)
      : sinks_(sinks), rows_(std::move(rows)), row_of_output_(std::move(row_of_output)) {}

  void account(const std::vector<SinkOutcome>& outcomes, CommitRecord& record, CommitIntent& intent) override {
    // Start from "every addressed sink took it", then take away.
    std::vector<ReplayRow>& rows = rows_;
    for (ReplayRow& row : rows)
      for (ReplayTarget& t : row.targets) {
        t.delivered = t.tried && row.failed_stage.empty();
        t.failure.clear();
      }
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const SinkOutcome& o = outcomes[i];
      if (o.state == State::NotAddressed) continue;
      const std::string& sink = sinks_[i].def->name;
      auto target_of = [&](ReplayRow& row) -> ReplayTarget* {
        for (ReplayTarget& t : row.targets)
          if (t.sink == sink) return &t;
        return nullptr;
      };
      for (const RowFailure& f : o.rejected) {
        if (f.row >= row_of_output_.size()) continue;
        if (ReplayTarget* t = target_of(rows[row_of_output_[f.row]])) {
          t->delivered = false;
          t->failure = f.message;
        }
      }
    }
    record.change.clear();
    record.add.clear();
    auto committed = [&](const std::string& sink) {
      for (size_t i = 0; i < outcomes.size(); ++i)
        if (sinks_[i].def->name == sink) return outcomes[i].state == State::Committed;
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
  const SinkSet& sinks_;
  std::vector<ReplayRow> rows_;
  std::vector<size_t> row_of_output_;  // row of the final batch -> rows_ index
  ReplayCounts counts_;
};

int64_t count_resolved(const CommitRecord& r) {
  int64_t n = 0;
  for (const DlqChange& ch : r.change)
    if (ch.status == DlqStatus::Resolved) ++n;
  return n;
}

}  // namespace

void ReplayDriver::recover() {
  RunContext& run = w_.run;
  std::optional<std::string> body = run.state.load_intent(run.def.name, kReplayPartition);
  if (!body) return;
  const CommitIntent intent = decode_intent(*body);
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
  CommitRecord record;
  record.pipeline = run.def.name;
  record.partition = kReplayPartition;
  for (size_t i = 0; i < intent.sinks.size(); ++i)
    if (holding.count(intent.sinks[i])) record.acks.emplace_back(intent.sinks[i], intent.accepted[i]);
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
  // Before reading: the entries an interrupted replay delivered are
  // resolved first, so they are not selected again.
  if (!run.dry_run()) recover();

  DlqFilter filter = ro.filter;
  filter.pipeline = run.def.name;
  filter.limit = static_cast<int64_t>(std::max<uint64_t>(run.def.max_batch_records, 1));
  // With several sinks an entry may be copied for the sinks that still lack
  // it, which needs all of it.
  filter.replay_fields_only = run.def.sinks.size() == 1;
  // Entries this replay adds (copies for sinks that still lack a record)
  // wait for the next replay.
  const int64_t last_id = run.state.last_dlq_id(run.def.name);

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

void ReplayDriver::deliver(ReplayGroup& group) {
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
  d.to = run.run_id + ":" + std::to_string(++seq_);
  d.store_checkpoint = false;
  d.apply_policy = false;
  d.start.assign(w_.sinks.size(), State::NotAddressed);
  for (size_t t : group.targets) d.start[t] = State::Committed;
  ReplayAccounting accounting(w_.sinks, std::move(group.rows), row_of);
  if (run.dry_run()) {
    counts_.resolved += static_cast<int64_t>(row_of.size());
    counts_.failed_again += static_cast<int64_t>(entries.size() - row_of.size());
    w_.core.deliver(d, accounting);
    return;
  }
  w_.core.deliver(d, accounting);
  counts_.resolved += accounting.counts().resolved;
  counts_.failed_again += accounting.counts().failed_again;
}

}  // namespace ferry::core
