// Part of <ferry/testing/plugin_harness.hpp>: one handle per kind (SinkHandle, SourceHandle,
// CheckpointHookHandle, BacklogHookHandle, TransformHandle) and TempDir.
#ifndef FERRY_TESTING_HANDLES_HPP_
#define FERRY_TESTING_HANDLES_HPP_

#include <stdlib.h>

#include <ferry/plugin.hpp>
#include <ferry/testing/instance.hpp>
#include <ferry/testing/values.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::testing {

// ---------------------------------------------------------------------------
// Sinks

class SinkHandle : public detail::Instance<FerrySinkApi> {
 public:
  SinkHandle(const Plugin& plugin, OpenParams params)
      : Instance(plugin.sink(), plugin.kind(FERRY_KIND_SINK), std::move(params), plugin.descriptor().name) {}

  // Outcomes are copied out (messages included) before the next call can
  // invalidate them; `rejected` gets (row, status, message) of non-OK rows.
  struct Rejected {
    size_t row;
    FerryStatus status;
    std::string message;
  };
  FerryStatus write(const FerryBatch& batch, std::vector<Rejected>* rejected = nullptr) {
    std::vector<FerryRecordOutcome> outcomes(batch.n_rows, FerryRecordOutcome{FERRY_OK, 0, {}});
    const FerryStatus st = api_.write(require(), &batch, outcomes.data());
    if (rejected != nullptr) {
      rejected->clear();
      for (size_t r = 0; r < outcomes.size(); ++r)
        if (outcomes[r].status != FERRY_OK)
          rejected->push_back(
              Rejected{r, outcomes[r].status, std::string(ferry::view(outcomes[r].message))});
    }
    return st;
  }
  FerryStatus write(const OwnedBatch& batch, std::vector<Rejected>* rejected = nullptr) {
    return write(batch.get(), rejected);
  }

  // Commits with a checkpoint for `partition` carrying this instance's
  // pipeline and run id, as the host does after a batch.
  // With a fence token (ABI 1.6), as a worker holding the partition's
  // lease commits.
  FerryStatus commit(std::string_view partition, std::string_view position, uint64_t fence_token = 0) {
    FerryCheckpoint cp{};
    cp.struct_size = sizeof cp;
    cp.pipeline = ferry::bytes(params_.pipeline);
    cp.partition = ferry::bytes(partition);
    cp.position = ferry::bytes(position);
    cp.run_id = ferry::bytes(params_.run_id);
    cp.fence_token = fence_token;
    return api_.commit(require(), &cp);
  }
  // ABI 1.6: fences the partition, as a worker that took its lease does;
  // FERRY_NOT_IMPLEMENTED when the sink's table has no fence slot.
  FerryStatus fence(std::string_view partition, uint64_t token) {
    if (api_.struct_size < offsetof(FerrySinkApi, fence) + sizeof(void*) || api_.fence == nullptr)
      return FERRY_NOT_IMPLEMENTED;
    return api_.fence(require(), ferry::bytes(partition), token);
  }
  FerryStatus commit_without_checkpoint() { return api_.commit(require(), nullptr); }
  FerryStatus abort() { return api_.abort(require()); }

  // The position the sink holds for `partition`, or nullopt; throws on error.
  std::optional<std::string> checkpoint(std::string_view partition) {
    FerryBytes position{};
    int32_t found = 0;
    const FerryStatus st = api_.checkpoint(require(), ferry::bytes(partition), &position, &found);
    if (st != FERRY_OK)
      throw std::runtime_error("checkpoint() returned " + std::to_string(st) + ": " +
                               host_.last_error());
    if (found == 0) return std::nullopt;
    return std::string(ferry::view(position));
  }
};

// ---------------------------------------------------------------------------
// Sources

struct Drained {
  FerryStatus status = FERRY_OK;  // END_OF_STREAM when the partition was read to its end
  std::vector<Column> columns;    // schema of the first batch
  std::vector<Row> rows;
  std::vector<size_t> batch_sizes;
  std::string end_position;  // of the last batch
};

class SourceHandle : public detail::Instance<FerrySourceApi> {
 public:
  SourceHandle(const Plugin& plugin, OpenParams params)
      : Instance(plugin.source(), plugin.kind(FERRY_KIND_SOURCE), std::move(params), plugin.descriptor().name) {}

  std::vector<std::string> partitions() {
    const FerryBytes* names = nullptr;
    size_t count = 0;
    const FerryStatus st = api_.partitions(require(), &names, &count);
    if (st != FERRY_OK)
      throw std::runtime_error("partitions() returned " + std::to_string(st) + ": " +
                               host_.last_error());
    std::vector<std::string> out;
    for (size_t i = 0; i < count; ++i) out.emplace_back(ferry::view(names[i]));
    return out;
  }
  FerryStatus start(std::string_view partition, const std::optional<std::string>& position = {}) {
    const FerryBytes pos = position ? ferry::bytes(*position) : FerryBytes{};
    return api_.start(require(), ferry::bytes(partition), position ? &pos : nullptr);
  }
  FerryStatus next(OwnedBatch* out) { return api_.next(require(), out->out()); }

  // Returns {records, bytes}; throws if the plugin has no estimate or fails.
  std::pair<uint64_t, uint64_t> estimate(std::string_view partition) {
    if (api_.struct_size <= offsetof(FerrySourceApi, estimate) || api_.estimate == nullptr)
      throw std::runtime_error("source has no estimate()");
    uint64_t records = 0, nbytes = 0;
    const FerryStatus st = api_.estimate(require(), ferry::bytes(partition), &records, &nbytes);
    if (st != FERRY_OK) throw std::runtime_error("estimate() returned " + std::to_string(st));
    return {records, nbytes};
  }

  // Starts `partition` and reads it to the end (or `max_batches` batches),
  // releasing each batch after copying it out.
  Drained drain(std::string_view partition, const std::optional<std::string>& position = {},
                size_t max_batches = SIZE_MAX) {
    Drained d;
    d.status = start(partition, position);
    if (d.status != FERRY_OK) return d;
    for (size_t n = 0; n < max_batches; ++n) {
      OwnedBatch batch;
      d.status = next(&batch);
      if (d.status != FERRY_OK) return d;
      if (d.columns.empty()) d.columns = columns_of(batch.get());
      std::vector<Row> rows = rows_of(batch.get());
      d.batch_sizes.push_back(rows.size());
      d.end_position = std::string(ferry::view(batch->end_position));
      for (Row& r : rows) d.rows.push_back(std::move(r));
    }
    return d;
  }
};

// ---------------------------------------------------------------------------
// Files

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ferry-test-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// ---------------------------------------------------------------------------
// Hooks

inline const FerryCheckpointHookApi& checkpoint_hook_api(const Plugin& plugin) {
  if (plugin.api().checkpoint_hook == nullptr)
    throw std::runtime_error("plugin has no checkpoint hook");
  return *plugin.api().checkpoint_hook;
}

inline const FerryBacklogHookApi& backlog_hook_api(const Plugin& plugin) {
  if (plugin.api().backlog_hook == nullptr) throw std::runtime_error("plugin has no backlog hook");
  return *plugin.api().backlog_hook;
}

class CheckpointHookHandle : public detail::Instance<FerryCheckpointHookApi> {
 public:
  CheckpointHookHandle(const Plugin& plugin, OpenParams params)
      : Instance(checkpoint_hook_api(plugin), plugin.kind(FERRY_KIND_CHECKPOINT_HOOK), std::move(params), plugin.descriptor().name) {}

  // Fires on_commit as the host does after `sink` acknowledged `batch`: this
  // instance's pipeline and run id, the batch's partition, and `position`
  // (the batch's end_position when not given) as the stored checkpoint.
  FerryStatus on_commit(const FerryBatch& batch, std::string_view sink,
                        std::optional<std::string_view> position = std::nullopt) {
    FerryCheckpointEvent ev{};
    ev.struct_size = sizeof ev;
    ev.pipeline = ferry::bytes(params_.pipeline);
    ev.run_id = ferry::bytes(params_.run_id);
    ev.sink = ferry::bytes(sink);
    ev.partition = batch.partition;
    ev.position = position ? ferry::bytes(*position) : batch.end_position;
    ev.batch = &batch;
    return api_.on_commit(require(), &ev);
  }
  FerryStatus on_commit(const OwnedBatch& batch, std::string_view sink,
                        std::optional<std::string_view> position = std::nullopt) {
    return on_commit(batch.get(), sink, position);
  }
};

// One failed row of a backlog event: its class and why.
struct RowFailure {
  FerryStatus status = FERRY_INVALID_DATA;
  std::string message;
};

class BacklogHookHandle : public detail::Instance<FerryBacklogHookApi> {
 public:
  BacklogHookHandle(const Plugin& plugin, OpenParams params)
      : Instance(backlog_hook_api(plugin), plugin.kind(FERRY_KIND_BACKLOG_HOOK), std::move(params), plugin.descriptor().name) {}

  // Fires on_failure as the host does after a failed write of `batch` (the
  // failed rows) by `sink`. Rows without an entry in `failures` get
  // `error_class` and `message`; the event's class, message and attempts are
  // the given ones.
  FerryStatus on_failure(const FerryBatch& batch, std::string_view sink,
                         const std::vector<RowFailure>& failures,
                         FerryStatus error_class = FERRY_INVALID_DATA,
                         std::string_view message = "rejected", uint32_t attempts = 1) {
    std::vector<FerryRecordOutcome> outcomes(batch.n_rows);
    for (size_t r = 0; r < batch.n_rows; ++r) {
      const bool own = r < failures.size();
      outcomes[r].status = own ? failures[r].status : error_class;
      outcomes[r].message = own ? ferry::bytes(failures[r].message) : ferry::bytes(message);
    }
    FerryBacklogEvent ev{};
    ev.struct_size = sizeof ev;
    ev.pipeline = ferry::bytes(params_.pipeline);
    ev.run_id = ferry::bytes(params_.run_id);
    ev.sink = ferry::bytes(sink);
    ev.partition = batch.partition;
    ev.batch = &batch;
    ev.outcomes = outcomes.data();
    ev.error_class = error_class;
    ev.message = ferry::bytes(message);
    ev.attempts = attempts;
    return api_.on_failure(require(), &ev);
  }
  FerryStatus on_failure(const OwnedBatch& batch, std::string_view sink,
                         const std::vector<RowFailure>& failures,
                         FerryStatus error_class = FERRY_INVALID_DATA,
                         std::string_view message = "rejected", uint32_t attempts = 1) {
    return on_failure(batch.get(), sink, failures, error_class, message, attempts);
  }
};

// ---------------------------------------------------------------------------
// Transforms

// The transform table of `plugin`; throws if it provides none.
inline const FerryTransformApi& transform_api(const Plugin& plugin) {
  if (plugin.api().transform == nullptr) throw std::runtime_error("plugin has no transform");
  return *plugin.api().transform;
}

// What one apply() produced, copied out so the batches can be released.
struct Applied {
  FerryStatus status = FERRY_OK;
  std::vector<Column> columns;
  std::vector<Row> rows;
  std::string partition;
  std::string end_position;
  std::vector<SinkHandle::Rejected> rejected;  // (input row, status, message)
};

class TransformHandle : public detail::Instance<FerryTransformApi> {
 public:
  TransformHandle(const Plugin& plugin, OpenParams params)
      : Instance(transform_api(plugin), plugin.kind(FERRY_KIND_TRANSFORM), std::move(params), plugin.descriptor().name) {}

  // Calls apply as the host does: one OK outcome per input row; `out` may
  // point into `in`, so the caller keeps `in` alive until `out` is released.
  FerryStatus apply(const FerryBatch& in, OwnedBatch* out,
                    std::vector<SinkHandle::Rejected>* rejected = nullptr) {
    std::vector<FerryRecordOutcome> outcomes(in.n_rows, FerryRecordOutcome{FERRY_OK, 0, {}});
    const FerryStatus st = api_.apply(require(), &in, out->out(), outcomes.data());
    if (rejected != nullptr) {
      rejected->clear();
      for (size_t r = 0; r < outcomes.size(); ++r)
        if (outcomes[r].status != FERRY_OK)
          rejected->push_back(SinkHandle::Rejected{r, outcomes[r].status,
                                                   std::string(ferry::view(outcomes[r].message))});
    }
    return st;
  }

  // Applies to `in` and copies out everything, releasing the output.
  Applied run(const OwnedBatch& in) {
    Applied a;
    OwnedBatch out;
    a.status = apply(in.get(), &out, &a.rejected);
    if (a.status != FERRY_OK) return a;
    a.columns = columns_of(out.get());
    a.rows = rows_of(out.get());
    a.partition = std::string(ferry::view(out->partition));
    a.end_position = std::string(ferry::view(out->end_position));
    return a;
  }
};

}  // namespace ferry::testing

#endif  // FERRY_TESTING_HANDLES_HPP_
