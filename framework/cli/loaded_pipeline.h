// A pipeline definition parsed, its plugins found and its options checked:
// what every command that takes PIPELINE.json starts from.
#pragma once

#include <memory>
#include <string>

#include "pipeline/definition.h"
#include "plugin/registry.h"
#include "state/state_store.h"

namespace ferry::cli {

struct LoadedPipeline {
  core::PipelineDef def;
  std::unique_ptr<core::PluginRegistry> plugins;
};

// Throws core::DefinitionError or core::Error. Registers secrets with the
// logger so they are redacted from then on.
LoadedPipeline load_pipeline(const std::string& file, const std::vector<std::string>& plugin_paths,
                             bool check_plugins = true);

// A command that writes (run, replay, backfill, reset) passes Thorough.
std::unique_ptr<core::StateStore> open_state(const core::PipelineDef& def,
                                             core::StateCheck check = core::StateCheck::Quick);

}  // namespace ferry::cli
