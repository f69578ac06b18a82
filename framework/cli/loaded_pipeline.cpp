#include "cli/loaded_pipeline.h"

#include <filesystem>

#include "common/error.h"
#include "common/log.h"
#include "sqlite/sqlite_db.h"
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

namespace {

enum class SqliteFile { kFerry, kEmpty, kForeign };

// What an existing SQLite file holds, read without writing to it: Ferry's
// tables (a schema version, or the checkpoints table of a file from before
// versions were kept), nothing at all, or someone else's tables.
SqliteFile peek_sqlite_file(const std::string& path) {
  namespace sqlite = ferry::support::sqlite;
  sqlite::DatabaseOptions options;
  options.label = "state store";
  options.open.flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
  try {
    sqlite::Database db(path, options);
    const auto scalar = [&](const char* sql) {
      sqlite::Statement s = db.prepare(sql, "reading what the state file holds");
      return s.step() ? s.integer_at(0) : 0;
    };
    if (scalar("PRAGMA user_version") > 0) return SqliteFile::kFerry;
    if (scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints'") > 0)
      return SqliteFile::kFerry;
    return scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'") == 0 ? SqliteFile::kEmpty
                                                                                   : SqliteFile::kForeign;
  } catch (const ferry::Error&) {
    return SqliteFile::kFerry;  // damaged or unreadable: opening it as a store says how
  }
}

}  // namespace

std::unique_ptr<core::StateStore> open_state_to_read(const core::PipelineDef& def) {
  if (def.state.kind != core::StateKind::Sqlite) return open_state(def);
  std::error_code ec;
  if (!std::filesystem::exists(def.state.path, ec)) return core::open_memory_state();
  // Only a file of Ferry's is opened as a store, which would add Ferry's
  // tables to anything else: a command that only reads writes nothing.
  if (std::filesystem::is_regular_file(def.state.path, ec) && std::filesystem::file_size(def.state.path, ec) > 0) {
    switch (peek_sqlite_file(def.state.path)) {
      case SqliteFile::kEmpty: return core::open_memory_state();
      case SqliteFile::kForeign:
        throw core::Error("state store " + def.state.path.string() +
                          " is a SQLite database with tables of its own and no Ferry state in it; check the "
                          "pipeline's state.path");
      case SqliteFile::kFerry: break;
    }
  }
  return open_state(def);
}

}  // namespace ferry::cli
