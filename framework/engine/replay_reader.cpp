#include "engine/replay_reader.h"

#include <algorithm>
#include <utility>

#include "common/log.h"
#include "common/stored_record.h"
#include "engine/record_from_json.h"
#include "engine/record_json.h"

namespace ferry::core {

bool ReplayReader::plan(const DlqEntry& e, size_t& first_transform, std::vector<size_t>& targets,
                        std::vector<size_t>& meant) {
  RunContext& run = w_.run;
  targets.clear();
  meant.clear();
  // A sink refused it (or could not take it; its stage is then a sink's
  // name): it went through every transform. A transform refused it (its
  // stage): it is stored as that transform received it, also once a replay
  // has delivered it to some sinks and addressed it to the others.
  const auto names_sink = [&](const std::string& stage) {
    return std::any_of(run.def.sinks.begin(), run.def.sinks.end(), [&](const auto& s) { return s.name == stage; });
  };
  const bool after_transforms = !e.sink.empty() && (e.stage == e.sink || names_sink(e.stage));
  if (after_transforms) {
    first_transform = w_.transforms.size();
  } else {
    first_transform = w_.transforms.index_of(e.stage);
    if (first_transform == w_.transforms.size()) {
      log_warn("DLQ entry " + std::to_string(e.id) + " failed at stage '" + e.stage +
                   "', which the pipeline no longer has; it cannot be replayed",
               run.fields());
      return false;
    }
  }
  if (named_) {
    targets.push_back(*named_);
    // A record no sink has (a transform refused it) is still meant for
    // every sink: delivered to one, it stays in the DLQ for the others.
    if (e.sink.empty())
      for (size_t i = 0; i < run.def.sinks.size(); ++i) meant.push_back(i);
    else
      meant = targets;
  } else if (e.sink.empty()) {
    for (size_t i = 0; i < run.def.sinks.size(); ++i) targets.push_back(i);
    meant = targets;
  } else {
    for (size_t i = 0; i < run.def.sinks.size(); ++i)
      if (run.def.sinks[i].name == e.sink) targets.push_back(i);
    if (targets.empty()) {
      log_warn("DLQ entry " + std::to_string(e.id) + " is addressed to sink '" + e.sink +
                   "', which the pipeline no longer has; use --sink",
               run.fields());
      return false;
    }
    meant = targets;
  }
  return true;
}

namespace {

// Rows carry their DLQ id and attempt as position ("17.2"): a sink naming
// objects after positions (S3, files) names a batch delivered again after
// a crash the same, and a later replay's batch otherwise. By ids alone, a
// replay of the two ends of an earlier batch, which the sink had refused,
// named its output as that batch's and replaced it, with the entries
// between that it held.
std::vector<StoredRecord> stored_records(const std::vector<DlqEntry>& entries) {
  std::vector<StoredRecord> stored;
  stored.reserve(entries.size());
  for (const DlqEntry& e : entries)
    stored.push_back({std::to_string(e.id) + "." + std::to_string(e.attempts), e.record_key, e.record_json});
  return stored;
}

}  // namespace

size_t ReplayReader::drop_damaged(ReplayGroup& group) {
  std::vector<DlqEntry> readable;
  readable.reserve(group.entries.size());
  for (DlqEntry& e : group.entries) {
    FerryBatch one{};
    try {
      build_batch(stored_records({e}), kReplayPartition, std::to_string(e.id), &one);
    } catch (const Error& damaged) {
      log_warn(std::string(damaged.what()) + "; it stays in the DLQ, not replayable", w_.run.fields());
      continue;
    }
    one.release(&one);
    readable.push_back(std::move(e));
  }
  const size_t dropped = group.entries.size() - readable.size();
  group.entries = std::move(readable);
  return dropped;
}

bool ReplayReader::emit(std::unique_ptr<ReplayGroup> group, BoundedQueue<std::unique_ptr<ReplayGroup>>& queue) {
  FerryBatch first{};
  try {
    build_batch(stored_records(group->entries), kReplayPartition, std::to_string(group->entries.back().id), &first);
  } catch (const Error&) {
    // An entry whose stored record cannot be read back (damaged in the
    // state store) stays where it is; the others of its batch go on.
    group->skipped_before += static_cast<int64_t>(drop_damaged(*group));
    if (group->entries.empty()) {
      carried_skipped_ += group->skipped_before;  // counted with the next group
      return true;
    }
    build_batch(stored_records(group->entries), kReplayPartition, std::to_string(group->entries.back().id), &first);
  }
  group->chain = std::make_unique<BatchChain>(first);
  transform(*group);
  return queue.push(std::move(group));
}

std::unique_ptr<ReplayGroup> ReplayReader::regroup(std::vector<DlqEntry> entries, std::vector<size_t> targets,
                                                   std::vector<size_t> meant) {
  auto group = std::make_unique<ReplayGroup>();
  std::vector<size_t> planned_targets, planned_meant;
  for (size_t i = 0; i < entries.size(); ++i) {
    size_t first = 0;
    if (!plan(entries[i], first, planned_targets, planned_meant))
      throw Error("DLQ entry " + std::to_string(entries[i].id) + " can no longer be replayed");
    if (i > 0 && first != group->first_transform)
      throw Error("DLQ entry " + std::to_string(entries[i].id) + " now resumes at another stage than the entries "
                  "it was replayed with");
    group->first_transform = first;
  }
  group->entries = std::move(entries);
  group->targets = std::move(targets);
  group->meant = std::move(meant);
  FerryBatch first{};
  build_batch(stored_records(group->entries), kReplayPartition, std::to_string(group->entries.back().id), &first);
  group->chain = std::make_unique<BatchChain>(first);
  transform(*group);
  return group;
}

void ReplayReader::transform(ReplayGroup& group) {
  RunContext& run = w_.run;
  // Every row of the group starts with the same targets.
  std::vector<ReplayTarget> targets;
  targets.reserve(group.meant.size());
  for (size_t t : group.meant) {
    const bool tried = std::find(group.targets.begin(), group.targets.end(), t) != group.targets.end();
    targets.push_back({run.def.sinks[t].name, tried, false, "", ""});
  }
  group.rows.reserve(group.entries.size());
  for (const DlqEntry& e : group.entries) {
    ReplayRow row;
    row.id = e.id;
    row.status = e.status;
    row.attempts = e.attempts;
    row.targets = targets;
    if (group.meant.size() > 1) row.entry = e;
    group.rows.push_back(std::move(row));
  }
  BatchChain& chain = *group.chain;
  group.row_of.resize(group.entries.size());
  for (size_t i = 0; i < group.row_of.size(); ++i) group.row_of[i] = i;
  for (size_t t = group.first_transform; t < w_.transforms.size(); ++t) {
    const size_t input = chain.size() - 1;
    const FerryBatch in = chain.back();  // a copy of the struct: the chain grows below
    std::vector<RowFailure> refused = w_.transforms.apply_one(t, chain);
    const FerryBatch& out = chain.back();
    std::vector<bool> gone(in.n_rows, false);
    const std::string& stage = w_.transforms.name(t);
    for (const RowFailure& f : refused) {
      gone[f.row] = true;
      ReplayRow& row = group.rows[group.row_of[f.row]];
      row.failed_stage = stage;
      row.failed_record = row_to_json(in, f.row);
      row.failure = stage + ": " + f.message;
      row.failure_class = f.error_class;
    }
    std::vector<size_t> kept;
    kept.reserve(in.n_rows);
    for (size_t r = 0; r < in.n_rows; ++r)
      if (!gone[r]) kept.push_back(group.row_of[r]);
    if (out.n_rows != kept.size())
      throw Error("transform '" + stage + "' turned " + std::to_string(kept.size()) + " replayed row(s) into " +
                  std::to_string(out.n_rows) + "; replay follows each DLQ entry through the transforms and "
                  "needs one output row per row it keeps");
    group.row_of = std::move(kept);
    if (!refused.empty()) group.rejects.push_back({t, input, std::move(refused)});
  }
}

void ReplayReader::run(BoundedQueue<std::unique_ptr<ReplayGroup>>& queue) {
  RunContext& run = w_.run;
  try {
    auto fresh = [&] {
      auto g = std::make_unique<ReplayGroup>();
      g->entries.reserve(std::min<uint64_t>(run.def.max_batch_records, 1024));
      return g;
    };
    auto group = fresh();
    std::vector<size_t> targets, meant;  // an entry's plan, reused
    int64_t skipped = 0;                 // since the last group began
    for (;;) {
      if (run.stop.stopping()) break;
      std::vector<DlqEntry> page = run.state.list_dlq(filter_);
      if (page.empty()) break;
      filter_.after_id = page.back().id;
      bool past_end = false;
      for (DlqEntry& e : page) {
        if (e.id > last_id_) {
          past_end = true;
          break;
        }
        // Most entries share the schema of the one before: compared, not scanned.
        bool same_schema = !group->entries.empty() && stored_record_has_schema(e.record_json, group->signature);
        std::string signature = same_schema ? std::string() : schema_signature(e.record_json);
        if (!same_schema && !group->entries.empty() && !signature.empty() && signature == group->signature)
          same_schema = true;  // the same schema in another layout
        size_t first = 0;
        if ((!same_schema && signature.empty()) || !plan(e, first, targets, meant)) {
          // A line the source could not parse has no row to deliver: the fix
          // is to correct the input and run again, or discard the entry.
          ++skipped;
          continue;
        }
        const bool same = same_schema && group->first_transform == first && group->targets == targets &&
                          group->meant == meant && group->entries.size() < run.def.max_batch_records;
        if (!same) {
          if (!group->entries.empty()) {
            if (!emit(std::move(group), queue)) return;
            group = fresh();
          }
          group->skipped_before = skipped + std::exchange(carried_skipped_, 0);
          skipped = 0;
          group->signature = same_schema ? schema_signature(e.record_json) : std::move(signature);
          group->first_transform = first;
          group->targets = targets;
          group->meant = meant;
        }
        group->entries.push_back(std::move(e));
      }
      if (past_end || static_cast<int64_t>(page.size()) < filter_.limit) break;
    }
    // (A stop leaves the rest for the next replay.)
    if (!run.stop.stopping() && !group->entries.empty() && !emit(std::move(group), queue)) return;
    auto end = std::make_unique<ReplayGroup>();
    end->end = true;
    end->skipped_before = skipped + std::exchange(carried_skipped_, 0);
    queue.push(std::move(end));
  } catch (...) {
    auto failed = std::make_unique<ReplayGroup>();
    failed->error = std::current_exception();
    queue.push(std::move(failed));
  }
}

}  // namespace ferry::core
