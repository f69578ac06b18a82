// `ferry plugin check`: what a plugin author runs on their own .so before
// anyone else does. Static checks of the file and its descriptor, version
// negotiation, the declared options, and each kind's contract run through
// the C ABI with the author's configuration.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <ferry/plugin.h>

#include "conformance/check_result.h"

namespace ferry::core {

struct PluginCheckOptions {
  std::filesystem::path library;
  std::string config_json = "{}";          // the kinds' "config" object
  std::optional<FerryKind> kind;           // only this kind's contract
  std::filesystem::path base_dir;          // relative paths in the config
  std::string count_command;               // prints the rows in a sink's target
};

CheckResults check_plugin(const PluginCheckOptions& options);

}  // namespace ferry::core
