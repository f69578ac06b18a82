// One plugin library, loaded and negotiated. The library stays loaded as long
// as this object lives, so every instance opened from it must be closed first
// (instances keep a pointer to their LoadedPlugin for that reason).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/dll/shared_library.hpp>
#include <ferry/plugin.h>

namespace ferry::core {

// ABI versions this host speaks, newest first: offered in this order.
const std::vector<uint32_t>& host_abi_versions();
std::string abi_version_string(uint32_t v);
std::string kinds_string(uint32_t kinds);  // "source, sink"
// [a-z0-9_-]+, what the descriptor's name must be.
bool valid_plugin_name(std::string_view name);
// The kind a single name of kinds_string stands for ("checkpoint-hook").
std::optional<FerryKind> kind_from_name(std::string_view name);

class LoadedPlugin {
 public:
  // Loads, checks the descriptor and negotiates the ABI version.
  // Throws ferry::core::Error naming the file and the problem.
  static std::unique_ptr<LoadedPlugin> load(const std::filesystem::path& file);

  const std::filesystem::path& file() const { return file_; }
  const FerryPluginDescriptor& descriptor() const { return *descriptor_; }
  std::string name() const { return descriptor_->name; }
  uint32_t abi_version() const { return api_.abi_version; }
  uint32_t kinds() const;
  // The kind's spec from the descriptor, or nullptr.
  const FerryKindSpec* kind_spec(FerryKind kind) const;
  bool has_capability(FerryKind kind, uint32_t cap) const;

  // Tables, checked for size; nullptr when the plugin lacks the kind.
  const FerrySourceApi* source() const { return api_.source; }
  const FerryTransformApi* transform() const { return api_.transform; }
  const FerrySinkApi* sink() const { return api_.sink; }
  const FerryCheckpointHookApi* checkpoint_hook() const { return api_.checkpoint_hook; }
  const FerryBacklogHookApi* backlog_hook() const { return api_.backlog_hook; }
  // 1.2 slot: nullptr for plugins built before it.
  const FerryOrchestratorApi* orchestrator() const;
  // 1.1 slot: present only when the plugin's table is large enough.
  bool source_has_estimate() const;
  // ABI 1.5: the source plans its partitions with descriptors.
  bool source_has_descriptors() const;
  // ABI 1.8: the source hears which positions committed.
  bool source_takes_acknowledgements() const;
  // ABI 1.6: the sink declares FERRY_CAP_FENCED and fills fence().
  bool sink_can_fence() const;
  // ABI 1.10: the sink may answer commits later (FERRY_CAP_DEFERRED_COMMIT
  // with await_commit, idempotent, not transactional).
  bool sink_defers_commits() const;
  // FERRY_CAP_NAMED_BY_BATCH from a 1.11 plugin: its output is named after
  // the batch, so a batch in doubt must come again cut as before.
  bool sink_named_by_batch() const;
  // ABI 1.7: the sink declares FERRY_CAP_SINGLE_WRITER.
  bool sink_single_writer() const;
  // 1.3 slot: nullptr for plugins built before it or without a check.
  using CheckConfigFn = FerryStatus (*)(uint32_t kind, const FerryOpenArgs* args);
  CheckConfigFn check_config() const;

  // What is wrong with the file but does not stop it from working: symbols
  // it exports besides the two entry points, a name pipelines cannot use.
  const std::vector<std::string>& warnings() const { return warnings_; }
  // The entry point, for checks that offer versions themselves.
  FerryPluginInitFn init_function() const;

 private:
  struct Token {};

 public:
  explicit LoadedPlugin(Token) {}

 private:
  void negotiate();
  void check_tables() const;

  std::filesystem::path file_;
  boost::dll::shared_library library_;
  const FerryPluginDescriptor* descriptor_ = nullptr;
  FerryPluginApi api_{};
  std::vector<std::string> warnings_;
};

}  // namespace ferry::core
