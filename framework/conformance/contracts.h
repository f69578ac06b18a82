// The behaviour `ferry plugin check` asks of each kind, run through the C
// ABI against the real plugin with the configuration the author gives.
#pragma once

#include <memory>
#include <string>

#include "conformance/check_result.h"
#include "plugin/loaded_plugin.h"
#include "plugin/option_values.h"

namespace ferry::core {

// What an instance is opened with: the configuration after the host's
// option checks (defaults filled in) and the directory relative paths
// resolve against.
struct KitOpen {
  std::string config_json;
  std::string base_dir;
  // A shell command printing how many rows the sink's target holds (the
  // kit cannot read a target through the ABI); empty: not checked.
  std::string count_command;
  std::unique_ptr<OptionValues> options;  // the config's values, typed (ABI 1.4)
};

// Write, abort, write, commit: each call as the ABI says, outcomes well formed, a
// transactional sink's checkpoint after the commit and after reopening.
CheckResults check_sink_contract(const LoadedPlugin& plugin, const KitOpen& open);
// Every partition read to its end; each batch well formed and released
// once; resumed from every batch's end position, the rest and only the rest.
CheckResults check_source_contract(const LoadedPlugin& plugin, const KitOpen& open);
// One batch through apply: outcomes well formed, partition and end position
// carried over, the output released once.
CheckResults check_transform_contract(const LoadedPlugin& plugin, const KitOpen& open);

}  // namespace ferry::core
