// In-memory back end of the state store, for tests and throw-away runs. It
// follows the SQLite back end rule for rule (ordering, dedup, errors), so a
// test that passes against one passes against the other.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common/error.h"
#include "state/state_store.h"

namespace ferry::core {
namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

using Key = std::pair<std::string, std::string>;  // (pipeline, partition or sink)
// What makes two pending DLQ entries the same: (pipeline, partition,
// position, stage, sink).
using DedupKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;

DedupKey dedup_key(const DlqEntry& e) {
  return {e.pipeline, e.partition, e.position, e.stage, e.sink};
}

[[noreturn]] void fail(const std::string& what) { throw Error("state store (memory): " + what); }

class MemoryStateStore final : public StateStore {
 public:
  std::optional<Checkpoint> load_checkpoint(const std::string& pipeline,
                                            const std::string& partition) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = checkpoints_.find({pipeline, partition});
    if (it == checkpoints_.end()) return std::nullopt;
    return it->second;
  }

  std::vector<Checkpoint> list_checkpoints(const std::string& pipeline) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Checkpoint> out;
    for (auto it = checkpoints_.lower_bound({pipeline, ""});
         it != checkpoints_.end() && it->first.first == pipeline; ++it) {
      out.push_back(it->second);
    }
    return out;
  }

  void save_checkpoint(const Checkpoint& checkpoint, int64_t records_in_batch,
                       const std::vector<std::string>& acked_sinks) override {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = now_ms();
    Checkpoint& stored = checkpoints_[{checkpoint.pipeline, checkpoint.partition}];
    const int64_t records = stored.records + records_in_batch;
    stored = checkpoint;
    stored.records = records;  // the caller's count is not trusted; the store adds
    stored.updated_at_ms = now;
    for (const auto& sink : std::set<std::string>(acked_sinks.begin(), acked_sinks.end())) {
      SinkAck& ack = acks_[{checkpoint.pipeline, sink}];
      ack.pipeline = checkpoint.pipeline;
      ack.sink = sink;
      ack.records += records_in_batch;
      ack.batches += 1;
      ack.updated_at_ms = now;
    }
  }

  int64_t reset_checkpoints(const std::string& pipeline,
                            const std::optional<std::string>& partition) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (partition) return static_cast<int64_t>(checkpoints_.erase({pipeline, *partition}));
    // Like the SQLite store: a full reset also clears the ack counters.
    erase_pipeline(acks_, pipeline);
    return erase_pipeline(checkpoints_, pipeline);
  }

  std::vector<SinkAck> list_sink_acks(const std::string& pipeline) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<SinkAck> out;
    for (auto it = acks_.lower_bound({pipeline, ""});
         it != acks_.end() && it->first.first == pipeline; ++it) {
      out.push_back(it->second);
    }
    return out;
  }

  std::vector<int64_t> add_dlq(const std::vector<DlqEntry>& entries) override {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = now_ms();
    std::vector<int64_t> ids;
    ids.reserve(entries.size());
    for (const auto& e : entries) {
      if (e.status == DlqStatus::Pending) {
        auto dup = pending_.find(dedup_key(e));
        if (dup != pending_.end()) {
          ids.push_back(dup->second);
          continue;
        }
      }
      DlqEntry stored = e;
      stored.id = next_dlq_id_++;
      stored.created_at_ms = now;
      stored.updated_at_ms = now;
      if (stored.status == DlqStatus::Pending) pending_[dedup_key(stored)] = stored.id;
      ids.push_back(stored.id);
      dlq_.emplace(stored.id, std::move(stored));
    }
    return ids;
  }

  std::vector<DlqEntry> list_dlq(const DlqFilter& filter) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::set<int64_t> ids(filter.ids.begin(), filter.ids.end());
    std::vector<DlqEntry> out;
    for (auto it = dlq_.upper_bound(filter.after_id); it != dlq_.end(); ++it) {
      if (filter.limit > 0 && static_cast<int64_t>(out.size()) >= filter.limit) break;
      const DlqEntry& e = it->second;
      if (e.pipeline != filter.pipeline) continue;
      if (filter.status && e.status != *filter.status) continue;
      if (filter.sink && e.sink != *filter.sink) continue;
      if (filter.error_class && e.error_class != *filter.error_class) continue;
      if (filter.since_ms && e.created_at_ms < *filter.since_ms) continue;
      if (!ids.empty() && ids.count(e.id) == 0) continue;
      out.push_back(e);
    }
    return out;
  }

  std::optional<DlqEntry> get_dlq(const std::string& pipeline, int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = dlq_.find(id);
    if (it == dlq_.end() || it->second.pipeline != pipeline) return std::nullopt;
    return it->second;
  }

  void update_dlq(const std::string& pipeline, int64_t id, DlqStatus status,
                  const std::optional<std::string>& message,
                  const std::optional<int64_t>& attempts) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = dlq_.find(id);
    if (it == dlq_.end() || it->second.pipeline != pipeline) {
      fail("no DLQ entry " + std::to_string(id) + " in pipeline '" + pipeline + "'");
    }
    DlqEntry& e = it->second;
    const bool was_pending = e.status == DlqStatus::Pending;
    const bool now_pending = status == DlqStatus::Pending;
    if (now_pending && !was_pending) {
      // Check before changing anything, so a refused update leaves no trace.
      if (pending_.count(dedup_key(e)) != 0) {
        fail("DLQ entry " + std::to_string(id) +
             " cannot become pending: an identical entry is already pending");
      }
      pending_[dedup_key(e)] = id;
    }
    if (was_pending && !now_pending) pending_.erase(dedup_key(e));
    e.status = status;
    if (message) e.message = *message;
    if (attempts) e.attempts = *attempts;
    e.updated_at_ms = now_ms();
  }

  std::vector<std::pair<DlqStatus, int64_t>> count_dlq(const std::string& pipeline) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::pair<DlqStatus, int64_t>> out = {{DlqStatus::Pending, 0},
                                                      {DlqStatus::Resolved, 0},
                                                      {DlqStatus::FailedAgain, 0},
                                                      {DlqStatus::Discarded, 0}};
    for (const auto& [id, e] : dlq_) {
      if (e.pipeline != pipeline) continue;
      for (auto& [status, n] : out) {
        if (status == e.status) ++n;
      }
    }
    return out;
  }

  void begin_run(const Run& run) override {
    std::lock_guard<std::mutex> lock(mu_);
    Run stored = run;
    if (stored.started_at_ms == 0) stored.started_at_ms = now_ms();
    if (!runs_.emplace(run.id, std::move(stored)).second) {
      fail("run '" + run.id + "' already exists");
    }
  }

  void end_run(const std::string& run_id, RunStatus status, const RunCounts& counts,
               const std::string& message) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = runs_.find(run_id);
    if (it == runs_.end()) fail("no run '" + run_id + "'");
    Run& r = it->second;
    r.ended_at_ms = now_ms();
    r.status = status;
    r.counts = counts;
    r.message = message;
  }

  bool record_schema_version(const SchemaVersion& v) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const SchemaVersion& known : schemas_)
      if (known.pipeline == v.pipeline && known.partition == v.partition && known.version == v.version) return false;
    schemas_.push_back(v);
    schemas_.back().seen_at_ms = now_ms();
    return true;
  }

  std::vector<SchemaVersion> list_schema_versions(const std::string& pipeline) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<SchemaVersion> out;
    for (const SchemaVersion& v : schemas_)
      if (v.pipeline == pipeline) out.push_back(v);
    std::stable_sort(out.begin(), out.end(),
                     [](const SchemaVersion& a, const SchemaVersion& b) { return a.partition < b.partition; });
    return out;
  }

  void save_window(const BackfillWindow& w) override {
    std::lock_guard<std::mutex> lock(mu_);
    windows_[{w.pipeline, w.window}] = w;
  }

  std::vector<BackfillWindow> list_windows(const std::string& pipeline) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<BackfillWindow> out;
    for (const auto& [key, w] : windows_)
      if (key.first == pipeline) out.push_back(w);
    return out;
  }

  std::vector<Run> list_runs(const std::string& pipeline, int64_t limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Run> out;
    for (const auto& [id, r] : runs_) {
      if (r.pipeline == pipeline) out.push_back(r);
    }
    // Newest first, ties broken by id descending (same as the SQLite store).
    std::sort(out.begin(), out.end(), [](const Run& a, const Run& b) {
      return std::tie(b.started_at_ms, b.id) < std::tie(a.started_at_ms, a.id);
    });
    if (limit > 0 && static_cast<int64_t>(out.size()) > limit) {
      out.resize(static_cast<size_t>(limit));
    }
    return out;
  }

 private:
  template <typename Value>
  static int64_t erase_pipeline(std::map<Key, Value>& map, const std::string& pipeline) {
    auto first = map.lower_bound({pipeline, ""});
    auto last = first;
    int64_t n = 0;
    for (; last != map.end() && last->first.first == pipeline; ++last) ++n;
    map.erase(first, last);
    return n;
  }

  std::mutex mu_;
  std::vector<SchemaVersion> schemas_;
  std::map<std::pair<std::string, std::string>, BackfillWindow> windows_;
  std::map<Key, Checkpoint> checkpoints_;
  std::map<Key, SinkAck> acks_;
  std::map<int64_t, DlqEntry> dlq_;
  std::map<DedupKey, int64_t> pending_;  // pending entries by dedup key
  int64_t next_dlq_id_ = 1;
  std::map<std::string, Run> runs_;
};

}  // namespace

std::unique_ptr<StateStore> open_memory_state() { return std::make_unique<MemoryStateStore>(); }

}  // namespace ferry::core
