#include "database_claim.h"

#include <ferry/plugin.hpp>

#include <filesystem>
#include <mutex>

namespace ferry_sqlite {
namespace {

std::mutex g_mutex;
std::list<DatabaseClaim::Entry> g_claims;

// One name per file: "./a/../x.db" and "x.db" are one database.
std::string file_key(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : canonical.string();
}

}  // namespace

DatabaseClaim::DatabaseClaim(const std::string& path, std::string pipeline, std::string run_id, std::string sink) {
  if (path.empty() || path == ":memory:") return;  // a database of its own
  Entry mine{file_key(path), std::move(pipeline), std::move(run_id), std::move(sink)};
  std::lock_guard<std::mutex> lock(g_mutex);
  for (const Entry& e : g_claims)
    if (e.file == mine.file && e.pipeline == mine.pipeline && e.run_id == mine.run_id && e.sink != mine.sink)
      throw ferry::Error(FERRY_ERROR_CONFIG,
                         "sqlite sink: sinks '" + e.sink + "' and '" + mine.sink + "' of pipeline '" + mine.pipeline +
                             "' both write to " + mine.file +
                             ": SQLite takes one writer at a time, and each sink holds its write open until the "
                             "batch commits, so one would wait for the other on every batch. Give each sink a "
                             "database file of its own");
  entry_ = g_claims.insert(g_claims.end(), std::move(mine));
  claimed_ = true;
}

DatabaseClaim::~DatabaseClaim() {
  if (!claimed_) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  g_claims.erase(entry_);
}

}  // namespace ferry_sqlite
