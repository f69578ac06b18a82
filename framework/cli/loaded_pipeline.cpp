#include "cli/loaded_pipeline.h"

#include <filesystem>

#include "common/log.h"
#include "state/open_state.h"

namespace ferry::cli {

LoadedPipeline load_pipeline(const std::string& file, const std::vector<std::string>& plugin_paths,
                             bool check_plugins) {
  LoadedPipeline p;
  if (!check_plugins) {
    p.def = core::parse_pipeline_file(file, core::DefinitionUse::kStateOnly);
    if (!p.def.state.dsn.empty()) core::Logger::instance().add_secret(p.def.state.dsn);
    return p;
  }
  // Structure and plugin options are checked together: every problem of
  // the file in one round.
  std::vector<core::DefinitionIssue> structure_issues;
  p.def = core::parse_pipeline_file(file, core::DefinitionUse::kRun, &structure_issues);
  if (!p.def.state.dsn.empty()) core::Logger::instance().add_secret(p.def.state.dsn);
  p.plugins = std::make_unique<core::PluginRegistry>(core::PluginRegistry::default_search_dirs(plugin_paths));
  core::validate_against_plugins(p.def, *p.plugins, std::move(structure_issues));
  for (const std::string& s : p.def.secrets) core::Logger::instance().add_secret(s);
  return p;
}

std::unique_ptr<core::StateStore> open_state(const core::PipelineDef& def, core::StateCheck check) {
  return core::open_state_store(def.state, check);
}

std::unique_ptr<core::StateStore> open_state_to_read(const core::PipelineDef& def) {
  if (def.state.kind == core::StateKind::Sqlite && !std::filesystem::exists(def.state.path))
    return core::open_memory_state();
  return open_state(def);
}

}  // namespace ferry::cli
