#include "engine/dead_letters.h"

#include <algorithm>
#include <set>

#include <ferry/plugin/basics.hpp>

#include "engine/engine.h"
#include "engine/record_json.h"

namespace ferry::core {
namespace {

thread_local std::vector<DlqEntry>* t_collecting = nullptr;

// Every status but ok, which an errant record's class is never stored as.
std::vector<std::string_view> status_classes() {
  std::vector<std::string_view> names;
  for (FerryStatus s = FERRY_OK + 1; s <= FERRY_ERROR_CANCELLED; ++s)
    if (const char* name = ferry::status_name(s)) names.emplace_back(name);
  return names;
}

}  // namespace

bool is_error_class(std::string_view name) {
  if (name == kRetryExhausted || name == kSinkFailed) return true;
  const std::vector<std::string_view> names = status_classes();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string error_class_list() {
  std::string list = std::string("invalid_data, ") + kRetryExhausted + ", " + kSinkFailed;
  for (std::string_view name : status_classes())
    if (name != "invalid_data") list.append(", ").append(name);
  return list;
}

DlqEntry row_entry(const RunContext& run, const FerryBatch& batch, size_t row, const std::string& partition_key,
                   const std::string& stage, const std::string& sink, const RowFailure& failure) {
  DlqEntry e;
  e.pipeline = run.def.name;
  e.run_id = run.run_id;
  e.partition = partition_key;
  e.position = to_string(batch.records[row].position);
  e.stage = stage;
  e.sink = sink;
  e.record_key = to_string(batch.records[row].key);
  e.record_json = row_to_json(batch, row);
  e.error_class = failure.error_class;
  e.message = failure.message;
  e.attempts = failure.attempts;
  return e;
}

FerryStatus ErrantRecords::report(const std::string& stage, const std::string& current_partition,
                                  const FerryErrantRecord& r, WorkerCounts& counts) {
  ++counts.read;
  ++counts.rejected;
  if (run_.dry_run()) return FERRY_OK;
  DlqEntry e;
  e.pipeline = run_.def.name;
  e.run_id = run_.run_id;
  e.partition = run_.checkpoint_key(r.partition.size ? to_string(r.partition) : current_partition);
  e.position = to_string(r.position);
  e.stage = stage;
  e.record_key = to_string(r.key);
  e.record_json = raw_record_json(r.payload);
  e.error_class = status_name(r.error_class == FERRY_OK ? FERRY_INVALID_DATA : r.error_class);
  e.message = to_string(r.message);
  // The same input reported again (its partition read again after a crash,
  // or listed again by the next run) is one failure, not two.
  e.dedup = true;
  if (t_collecting) {
    t_collecting->push_back(std::move(e));
    return FERRY_OK;
  }
  run_.state.add_dlq({e});
  return FERRY_OK;
}

ErrantRecords::Collect::Collect(std::vector<DlqEntry>* into) : previous_(t_collecting) { t_collecting = into; }
ErrantRecords::Collect::~Collect() { t_collecting = previous_; }

std::optional<std::string> reset_refused(StateStore& state, const std::string& pipeline,
                                         const std::optional<std::string>& partition) {
  const std::optional<std::string> why = open_entries_read_again(
      state, pipeline, [&](const std::string& key) { return !partition || key == *partition; });
  if (!why) return std::nullopt;
  return "not resetting: " + *why;
}

std::optional<std::string> discard_refused(StateStore& state, const std::string& pipeline,
                                           const std::vector<int64_t>& ids) {
  const std::set<int64_t> in_doubt = replay_entries_in_doubt(state, pipeline);
  for (int64_t id : ids)
    if (in_doubt.count(id))
      return "DLQ entry " + std::to_string(id) + " is in a batch an interrupted replay left in doubt (a sink may "
             "hold it); replay first, then discard. Nothing was discarded";
  return std::nullopt;
}

std::optional<std::string> open_entries_read_again(StateStore& state, const std::string& pipeline,
                                                   const std::function<bool(const std::string&)>& in) {
  int64_t open = 0;
  std::string example;
  for (DlqStatus status : {DlqStatus::Pending, DlqStatus::FailedAgain}) {
    DlqFilter f;
    f.pipeline = pipeline;
    f.status = status;
    f.limit = 1000;
    for (;;) {
      const std::vector<DlqEntry> page = state.list_dlq(f);
      for (const DlqEntry& e : page)
        if (e.stage != "source" && in(e.partition)) {
          ++open;
          if (example.empty()) example = std::to_string(e.id) + " (partition '" + e.partition + "')";
        }
      if (static_cast<int64_t>(page.size()) < f.limit) break;
      f.after_id = page.back().id;
    }
  }
  if (open == 0) return std::nullopt;
  return std::to_string(open) + " open DLQ entr" + (open == 1 ? "y holds a record" : "ies hold records") +
         " of what would be read again (entry " + example + "): read again, each such record is delivered, or "
         "queued again beside its entry, and a replay would then deliver it a second time. Replay or discard "
         "those entries first, or pass --allow-open-dlq to go on anyway";
}

}  // namespace ferry::core
