// Part of <ferry/plugin.hpp>: the classes a plugin derives from, one per
// kind.
#ifndef FERRY_PLUGIN_KINDS_HPP_
#define FERRY_PLUGIN_KINDS_HPP_

#include <ferry/plugin/batch.hpp>
#include <ferry/plugin/context.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {

// ---------------------------------------------------------------------------
// Kinds. Each class is constructed with `const Context&`; throw ferry::Error
// from any member to return a status.

class Source {
 public:
  virtual ~Source() = default;
  virtual std::vector<std::string> partitions() = 0;
  // `position` is null to read from the beginning.
  virtual void start(std::string_view partition, const std::string_view* position) = 0;
  // Fills `out` and returns true, or returns false at the end of the partition.
  virtual bool next(FerryBatch* out) = 0;
  struct Estimate {
    uint64_t records = UINT64_MAX;
    uint64_t bytes = UINT64_MAX;
  };
  virtual Estimate estimate(std::string_view /*partition*/) { return Estimate{}; }

  // ABI 1.5, optional: the partitions, each with a descriptor (opaque bytes:
  // a key range, a file, a slot) that the host stores and hands back to
  // start_described() in whichever instance reads it, in this run and later
  // ones, until the checkpoints are reset. Override both or neither. None
  // (the default): partitions() and start() alone.
  struct Planned {
    std::string name;
    std::string descriptor;
  };
  virtual std::optional<std::vector<Planned>> describe() { return std::nullopt; }
  virtual void start_described(std::string_view partition, std::string_view /*descriptor*/,
                               const std::string_view* position) {
    start(partition, position);
  }

  // ABI 1.8, optional: `position` of `partition` is committed in every sink
  // and stored durably as the checkpoint; an upstream that keeps data until
  // told may release what precedes it. Called between next() calls. A
  // source that does not override it is not told (FERRY_PLUGIN leaves
  // FerrySourceApi.acknowledged NULL).
  virtual void acknowledged(std::string_view /*partition*/, std::string_view /*position*/) {}
};

class Transform {
 public:
  virtual ~Transform() = default;
  virtual void apply(const BatchView& in, FerryBatch* out, Outcomes& outcomes) = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const BatchView& batch, Outcomes& outcomes) = 0;
  virtual void commit(const FerryCheckpoint* checkpoint) = 0;
  virtual void abort() {}
  // The checkpoint a transactional sink holds for `partition`.
  virtual std::optional<std::string> checkpoint(std::string_view /*partition*/) {
    return std::nullopt;
  }
  // ABI 1.6, for a sink that declares FERRY_CAP_FENCED: from now on refuse
  // commits of `partition` with a smaller fence token (fence_token() of the
  // checkpoint) by throwing Error(FERRY_FENCED, ...). See FerrySinkApi.fence.
  virtual void fence(std::string_view /*partition*/, uint64_t /*token*/) {
    throw Error(FERRY_NOT_IMPLEMENTED, "this sink cannot be fenced");
  }
  // ABI 1.10, for a sink that declares FERRY_CAP_DEFERRED_COMMIT: called
  // instead of commit() when the host allows the commit to finish later
  // (may_defer). Start making the staged rows durable and return true; the
  // host then calls await_commit() for it, in commit order. Returning false
  // means it is finished already. See FerrySinkApi.await_commit.
  virtual bool begin_commit(const FerryCheckpoint* checkpoint) {
    commit(checkpoint);
    return false;
  }
  // Waits for the oldest commit begin_commit() left pending; returns when it
  // is durable, throws (RETRY, or a fatal status) when it failed.
  virtual void await_commit() { throw Error(FERRY_NOT_IMPLEMENTED, "this sink defers no commits"); }
};

// Whether the host allows this commit to be answered later (ABI 1.10).
inline bool may_defer(const FerryCheckpoint& cp) {
  return cp.struct_size >= offsetof(FerryCheckpoint, flags) + sizeof cp.flags && (cp.flags & FERRY_COMMIT_MAY_DEFER);
}

// The fencing token a commit carries (ABI 1.6), 0 from an older host or a
// run without leases.
inline uint64_t fence_token(const FerryCheckpoint& cp) {
  return cp.struct_size >= offsetof(FerryCheckpoint, fence_token) + sizeof cp.fence_token ? cp.fence_token : 0;
}

// Hooks return FERRY_OK to continue or FERRY_STOP to stop the pipeline.
class CheckpointHook {
 public:
  virtual ~CheckpointHook() = default;
  virtual FerryStatus on_commit(const FerryCheckpointEvent& event) = 0;
};

class BacklogHook {
 public:
  virtual ~BacklogHook() = default;
  virtual FerryStatus on_failure(const FerryBacklogEvent& event) = 0;
};

// Plans workers for a run's partitions (ABI 1.2). Return workers = 0 to let
// the host decide; groups (one per partition, or empty) keep partitions
// together on one worker.
class Orchestrator {
 public:
  virtual ~Orchestrator() = default;
  struct Plan {
    uint32_t workers = 0;
    std::vector<uint32_t> groups;
  };
  virtual Plan plan(const FerryMachineFacts& machine, const FerryPartitionInfo* partitions, size_t count) = 0;
};

}  // namespace ferry

#endif  // FERRY_PLUGIN_KINDS_HPP_
