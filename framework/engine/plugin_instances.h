// Owning wrappers around plugin instances: they open through the ABI, turn a
// fatal status into an exception naming the stage, and close on destruction.
// Each holds a reference to its LoadedPlugin, which must outlive it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <ferry/plugin.h>

#include "common/error.h"
#include "engine/host_context.h"
#include "plugin/loaded_plugin.h"
#include "plugin/option_values.h"
#include "plugin/plugin_call.h"
#include "state/state_store.h"

namespace ferry::core {

// A plugin call ended the operation.
class PluginCallError : public Error {
 public:
  PluginCallError(FerryStatus status, const std::string& message)
      : Error(message), status_(status) {}
  FerryStatus status() const { return status_; }

 private:
  FerryStatus status_;
};

struct OpenParams {
  std::string config_json;
  std::string pipeline;
  std::string name;
  std::string run_id;
  std::string base_dir;
  uint64_t max_batch_records = 1000;
  uint64_t max_batch_bytes = 8 << 20;
  std::string data_date;
  std::string window_start;
  std::string window_end;
};

// The outcome of one call that may be retried or rejected.
struct CallResult {
  FerryStatus status = FERRY_OK;
  std::string message;
  uint64_t retry_after_ms = 0;
  bool ok() const { return status == FERRY_OK; }
};

class InstanceBase {
 public:
  InstanceBase(const LoadedPlugin& plugin, std::unique_ptr<HostContext> host)
      : plugin_(plugin), host_(std::move(host)) {}
  HostContext& host() { return *host_; }
  const LoadedPlugin& plugin() const { return plugin_; }
  const std::string& stage() const { return host_->stage(); }
  virtual ~InstanceBase() = default;

 protected:
  // Arguments for opening this plugin as `kind`; the option values they
  // point to live as long as the instance.
  FerryOpenArgs open_args(const OpenParams& p, FerryKind kind);
  CallResult result(FerryStatus st) const;
  // Throws PluginCallError unless st is OK (or one of `allowed`).
  void check(FerryStatus st, const char* call, std::initializer_list<FerryStatus> allowed = {}) const;

  // Makes one call into the plugin: clears the last error, marks the
  // thread as inside it (a fatal signal then names it), and turns an
  // exception that escaped the plugin, which the ABI forbids, into an error
  // naming stage, plugin and call.
  template <typename F>
  auto call(const char* name, F&& f) const -> decltype(f()) {
    host_->begin_call();
    // The descriptor's name lives as long as the library; name() is a copy.
    PluginCallScope scope(plugin_.descriptor().name, stage().c_str(), name);
    try {
      return f();
    } catch (const std::exception& e) {
      throw escaped(name, e.what());
    } catch (...) {
      throw escaped(name, "an exception that is not a std::exception");
    }
  }
  PluginCallError escaped(const char* call, const std::string& what) const;
  // close(): no status to check, and a destructor must not throw.
  void close_quietly(void (*close)(FerryInstance));

  const LoadedPlugin& plugin_;
  std::unique_ptr<HostContext> host_;
  FerryInstance handle_ = nullptr;
  std::unique_ptr<OptionValues> options_;
};

class SourceInstance : public InstanceBase {
 public:
  SourceInstance(const LoadedPlugin& plugin, std::unique_ptr<HostContext> host, const OpenParams& p);
  ~SourceInstance();
  std::vector<std::string> partitions();
  void start(const std::string& partition, const std::optional<std::string>& position);
  // ABI 1.5: the partitions with their descriptors, or none when the source
  // plans by names alone; and start with the descriptor.
  std::optional<std::vector<PlannedPartition>> describe();
  void start(const std::string& partition, const std::string& descriptor, const std::optional<std::string>& position);
  // FERRY_OK with `out` filled, FERRY_END_OF_STREAM, or FERRY_RETRY.
  CallResult next(FerryBatch* out);
  std::optional<std::pair<uint64_t, uint64_t>> estimate(const std::string& partition);
  // ABI 1.8: tells the source `position` committed everywhere. Nothing for
  // a source that does not listen; its answer, which ends nothing.
  CallResult acknowledged(const std::string& partition, const std::string& position);
  bool takes_acknowledgements() const;

 private:
  const FerrySourceApi* api_;
};

class TransformInstance : public InstanceBase {
 public:
  TransformInstance(const LoadedPlugin& plugin, std::unique_ptr<HostContext> host, const OpenParams& p);
  ~TransformInstance();
  void apply(const FerryBatch* in, FerryBatch* out, FerryRecordOutcome* outcomes);

 private:
  const FerryTransformApi* api_;
};

class SinkInstance : public InstanceBase {
 public:
  SinkInstance(const LoadedPlugin& plugin, std::unique_ptr<HostContext> host, const OpenParams& p);
  ~SinkInstance();
  bool transactional() const;
  CallResult write(const FerryBatch* batch, FerryRecordOutcome* outcomes);
  // FERRY_PENDING only when the checkpoint allowed it (ABI 1.10).
  CallResult commit(const FerryCheckpoint* checkpoint);
  // The outcome of the oldest pending commit.
  CallResult await_commit();
  bool defers_commits() const;
  // ABI 1.11: its output is named after the batch's first and last rows.
  bool named_by_batch() const;
  void abort();
  std::optional<std::string> held_checkpoint(const std::string& partition);
  // ABI 1.6: whether fence() is there, and the call (see FerrySinkApi.fence).
  bool can_fence() const;
  void fence(const std::string& partition, uint64_t token);

 private:
  const FerrySinkApi* api_;
};

class CheckpointHookInstance : public InstanceBase {
 public:
  CheckpointHookInstance(const LoadedPlugin& plugin, std::unique_ptr<HostContext> host,
                         const OpenParams& p);
  ~CheckpointHookInstance();
  CallResult on_commit(const FerryCheckpointEvent& event);

 private:
  const FerryCheckpointHookApi* api_;
};

class BacklogHookInstance : public InstanceBase {
 public:
  BacklogHookInstance(const LoadedPlugin& plugin, std::unique_ptr<HostContext> host,
                      const OpenParams& p);
  ~BacklogHookInstance();
  CallResult on_failure(const FerryBacklogEvent& event);

 private:
  const FerryBacklogHookApi* api_;
};

class OrchestratorInstance : public InstanceBase {
 public:
  OrchestratorInstance(const LoadedPlugin& plugin, std::unique_ptr<HostContext> host, const OpenParams& p);
  ~OrchestratorInstance();
  // workers (0 = host decides) and a group per partition (empty = none).
  std::pair<uint32_t, std::vector<uint32_t>> plan(const FerryMachineFacts& machine,
                                                  const std::vector<FerryPartitionInfo>& partitions);

 private:
  const FerryOrchestratorApi* api_;
};

inline FerryBytes as_bytes(const std::string& s) { return FerryBytes{s.data(), s.size()}; }
inline std::string to_string(FerryBytes b) { return b.size ? std::string(b.data, b.size) : std::string(); }

}  // namespace ferry::core
