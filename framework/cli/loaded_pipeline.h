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
// logger so they are redacted from then on. Without `check_plugins` (a
// command that only reads or edits the state) no plugin is found and the
// stages' configs are left as written (core::DefinitionUse::kStateOnly).
LoadedPipeline load_pipeline(const std::string& file, const std::vector<std::string>& plugin_paths,
                             bool check_plugins = true);

// A command that writes (run, replay, backfill, reset) passes Thorough.
std::unique_ptr<core::StateStore> open_state(const core::PipelineDef& def,
                                             core::StateCheck check = core::StateCheck::Quick);

// For a command that only reads or removes entries (checkpoint show, dlq
// list/show/export/discard, status, and every --dry-run): a SQLite state
// file that does not exist reads as an empty state and is not created.
// Creating one is a run's to do; an empty file made here would also stand
// where a lost state should be noticed.
std::unique_ptr<core::StateStore> open_state_to_read(const core::PipelineDef& def);

}  // namespace ferry::cli
