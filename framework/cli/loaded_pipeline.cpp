#include "cli/loaded_pipeline.h"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "common/error.h"
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

namespace {

enum class SqliteFile { kFerry, kEmpty, kForeign };

// What an existing SQLite file holds, read without writing to it: Ferry's
// tables (a schema version, or the checkpoints table of a file from before
// versions were kept), nothing at all, or someone else's tables.
SqliteFile peek_sqlite_file(const std::string& path) {
  sqlite3* db = nullptr;
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> owner(nullptr, &sqlite3_close);
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return SqliteFile::kFerry;  // opening it as a store reports what is wrong
  }
  owner.reset(db);
  const auto scalar = [&](const char* sql) -> std::optional<int64_t> {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) return std::nullopt;
    std::optional<int64_t> value;
    if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
  };
  const std::optional<int64_t> version = scalar("PRAGMA user_version");
  const std::optional<int64_t> tables = scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'");
  const std::optional<int64_t> checkpoints =
      scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints'");
  if (!version || !tables || !checkpoints) return SqliteFile::kFerry;  // damaged: the store says how
  if (*version > 0 || *checkpoints > 0) return SqliteFile::kFerry;
  return *tables == 0 ? SqliteFile::kEmpty : SqliteFile::kForeign;
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
