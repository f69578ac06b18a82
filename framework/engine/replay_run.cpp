// `ferry replay`: dead-letter records go through the pipeline's current
// transforms to the sink they failed on (or the one named), and are marked
// resolved, or failed_again with the new error.
//
// A replay keeps its own checkpoint per sink (partition "ferry-replay",
// position = the last DLQ id delivered). Records are taken in id order and
// grouped into runs of consecutive ids, so that checkpoint only moves
// forward. A transactional sink commits it with the rows, so a replay
// killed between the commit and the status update finds those records
// delivered and only marks them resolved: nothing is written twice.
#include <algorithm>
#include <map>

#include "common/log.h"
#include "engine/batch_selection.h"
#include "engine/pipeline_run.h"
#include "engine/record_from_json.h"

namespace ferry::core {
namespace {

const std::string kReplayPartition = "ferry-replay";

std::string state_partition(const std::string& sink) { return kReplayPartition + ":" + sink; }

}  // namespace

struct PipelineRun::ReplayEntry {
  DlqEntry entry;
  std::string signature;
};

std::optional<int64_t> PipelineRun::replay_position(size_t sink) {
  std::optional<std::string> pos;
  if (sinks_[sink].instance->transactional()) {
    pos = sinks_[sink].instance->held_checkpoint(kReplayPartition);
  } else if (auto cp = state_.load_checkpoint(def_.name, state_partition(sinks_[sink].def->name))) {
    pos = cp->position;
  }
  if (!pos || pos->empty()) return std::nullopt;
  try {
    return std::stoll(*pos);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void PipelineRun::run_replay() {
  const ReplayOptions& ro = *options_.replay;
  std::optional<size_t> named;
  if (ro.sink) {
    // By definition order: in a dry run no sink is open.
    for (size_t i = 0; i < def_.sinks.size(); ++i)
      if (def_.sinks[i].name == *ro.sink) named = i;
    if (!named) throw Error("pipeline '" + def_.name + "' has no sink named '" + *ro.sink + "'");
  }
  current_partition_ = kReplayPartition;
  DlqFilter filter = ro.filter;
  filter.pipeline = def_.name;
  filter.limit = static_cast<int64_t>(def_.max_batch_records);

  std::vector<ReplayEntry> group;
  std::vector<size_t> group_targets;
  auto flush = [&] {
    if (!group.empty()) replay_group(group, group_targets);
    group.clear();
  };
  for (;;) {
    if (options_.cancel->load() || stop_requested_) break;
    std::vector<DlqEntry> page = state_.list_dlq(filter);
    if (page.empty()) break;
    filter.after_id = page.back().id;
    for (DlqEntry& e : page) {
      ++replay_counts_.selected;
      std::string signature = schema_signature(e.record_json);
      if (signature.empty()) {
        // A line the source could not parse has no row to deliver: the fix
        // is to correct the input and run again, or discard the entry.
        ++replay_counts_.skipped;
        continue;
      }
      std::vector<size_t> targets;
      if (named) {
        targets.push_back(*named);
      } else if (e.sink.empty()) {
        for (size_t i = 0; i < def_.sinks.size(); ++i) targets.push_back(i);
      } else {
        for (size_t i = 0; i < def_.sinks.size(); ++i)
          if (def_.sinks[i].name == e.sink) targets.push_back(i);
        if (targets.empty()) {
          ++replay_counts_.skipped;
          log_warn("DLQ entry " + std::to_string(e.id) + " is addressed to sink '" + e.sink +
                       "', which the pipeline no longer has; use --sink",
                   LogFields{def_.name, run_id_, {}, {}});
          continue;
        }
      }
      bool same = !group.empty() && group.front().signature == signature && group_targets == targets &&
                  group.size() < def_.max_batch_records;
      if (!same) flush();
      group_targets = targets;
      group.push_back({std::move(e), std::move(signature)});
    }
    flush();
    if (static_cast<int64_t>(page.size()) < filter.limit) break;
  }
}

void PipelineRun::replay_group(const std::vector<ReplayEntry>& group, const std::vector<size_t>& targets) {
  const int64_t last_id = group.back().entry.id;
  // Rows carry their DLQ id as position, so outcomes map back to entries.
  std::vector<StoredRecord> stored;
  for (const ReplayEntry& r : group)
    stored.push_back({std::to_string(r.entry.id), r.entry.record_key, r.entry.record_json});
  std::vector<FerryBatch> batches(1);
  build_batch(stored, kReplayPartition, std::to_string(last_id), &batches[0]);
  auto release_all = [&] {
    for (auto it = batches.rbegin(); it != batches.rend(); ++it)
      if (it->release) it->release(&*it);
  };
  read_ += static_cast<int64_t>(group.size());
  ++batches_;

  std::map<int64_t, std::string> failed;   // id -> newest error
  try {
    for (size_t t = 0; t < transforms_.size(); ++t) {
      const FerryBatch in = batches.back();
      std::vector<FerryRecordOutcome> outcomes(in.n_rows);
      FerryBatch out{};
      transforms_[t]->apply(&in, &out, outcomes.data());
      batches.push_back(out);
      std::vector<RowFailure> rejected;
      for (size_t i = 0; i < outcomes.size(); ++i) {
        if (outcomes[i].status == FERRY_OK) continue;
        std::string msg = def_.transforms[t].name + ": " + to_string(outcomes[i].message);
        failed[std::stoll(to_string(in.records[i].position))] = msg;
        rejected.push_back({i, status_name(outcomes[i].status), msg, 1});
      }
      fire_backlog(in, def_.transforms[t].name, rejected);
    }
    const FerryBatch& batch = batches.back();

    if (options_.dry_run) {
      written_ += static_cast<int64_t>(batch.n_rows);
      replay_counts_.resolved += static_cast<int64_t>(batch.n_rows);
      replay_counts_.failed_again += static_cast<int64_t>(failed.size());
      release_all();
      return;
    }

    std::map<int64_t, bool> already;  // committed by an interrupted replay to every target
    for (const ReplayEntry& r : group) already[r.entry.id] = true;
    for (size_t target : targets) {
      SinkSlot& slot = sinks_[target];
      std::optional<int64_t> done = replay_position(target);
      std::vector<size_t> rows;
      for (size_t i = 0; i < batch.n_rows; ++i) {
        int64_t id = std::stoll(to_string(batch.records[i].position));
        if (done && id <= *done) continue;
        already[id] = false;
        rows.push_back(i);
      }
      if (rows.empty()) continue;
      BatchSelection todo(batch, rows);
      SinkWriteResult result = write_to_sink(*slot.instance, *todo.get(), slot.def->retry, *slot.backoff, options_.cancel);
      if (!result.acked) {
        slot.instance->abort();
        for (size_t i = 0; i < todo.get()->n_rows; ++i)
          failed[std::stoll(to_string(todo.get()->records[i].position))] = slot.def->name + ": " + result.failure;
        continue;
      }
      FerryCheckpoint cp{};
      cp.struct_size = sizeof cp;
      cp.pipeline = as_bytes(def_.name);
      std::string partition = kReplayPartition;
      std::string position = std::to_string(last_id);
      cp.partition = as_bytes(partition);
      cp.position = as_bytes(position);
      cp.run_id = as_bytes(run_id_);
      commit_sink(slot, *todo.get(), cp, result);
      for (const RowFailure& f : result.rejected)
        failed[std::stoll(to_string(todo.get()->records[f.row].position))] = slot.def->name + ": " + f.message;
      if (!result.rejected.empty()) fire_backlog(*todo.get(), slot.def->name, result.rejected);
      Checkpoint saved;
      saved.pipeline = def_.name;
      saved.partition = state_partition(slot.def->name);
      saved.position = position;
      saved.run_id = run_id_;
      state_.save_checkpoint(saved, static_cast<int64_t>(rows.size() - result.rejected.size()),
                             {slot.def->name});
      fire_checkpoint_hooks(*todo.get(), slot.def->name, result.rejected);
    }

    for (const ReplayEntry& r : group) {
      const DlqEntry& e = r.entry;
      auto f = failed.find(e.id);
      if (f != failed.end()) {
        state_.update_dlq(def_.name, e.id, DlqStatus::FailedAgain, f->second, e.attempts + 1);
        ++replay_counts_.failed_again;
        ++rejected_;
      } else {
        state_.update_dlq(def_.name, e.id, DlqStatus::Resolved, std::nullopt, std::nullopt);
        ++replay_counts_.resolved;
        if (already[e.id]) ++replay_counts_.already_done;
        else ++written_;
      }
    }
  } catch (...) {
    release_all();
    throw;
  }
  release_all();
  show_progress(false);
}

}  // namespace ferry::core
