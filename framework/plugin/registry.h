// Finds plugins: every *.so in the search directories, in order
// (--plugin-path, then FERRY_PLUGIN_PATH, then the install location). The
// first plugin of a name wins; files that fail to load are remembered so an
// "unknown plugin" error can say why.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/definition.h"
#include "plugin/loaded_plugin.h"

namespace ferry::core {

struct PluginLoadFailure {
  std::filesystem::path file;
  std::string message;
};

// Runs `plugin`'s check_config (when it has one) on a configuration the
// host has already checked against the declared options: why the plugin
// refuses it, or nothing.
std::optional<std::string> run_check_config(const LoadedPlugin& plugin, const DescriptorLookup::ConfigCheck& c);

class PluginRegistry : public DescriptorLookup {
 public:
  explicit PluginRegistry(std::vector<std::filesystem::path> search_dirs);

  // Search directories from the command line, the environment and the
  // install location, in that order, without duplicates.
  static std::vector<std::filesystem::path> default_search_dirs(
      const std::vector<std::string>& from_command_line);

  // nullptr when no plugin has that name.
  const LoadedPlugin* get(const std::string& name) const;
  // Like get(), but throws an Error that lists near names and load failures.
  const LoadedPlugin& require(const std::string& name) const;
  const FerryPluginDescriptor* find(const std::string& name) const override;
  std::string why_missing(const std::string& name) const override;
  std::optional<std::string> check_config(const std::string& plugin, const ConfigCheck& check) const override;

  std::vector<const LoadedPlugin*> all() const;
  const std::vector<PluginLoadFailure>& failures() const { return failures_; }
  const std::vector<std::filesystem::path>& search_dirs() const { return dirs_; }

 private:
  std::vector<std::filesystem::path> dirs_;
  std::map<std::string, std::unique_ptr<LoadedPlugin>> plugins_;
  std::vector<PluginLoadFailure> failures_;
};

}  // namespace ferry::core
