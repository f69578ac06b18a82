#include "checkpoint_store.h"

#include <chrono>
#include <cstddef>
#include <ferry/plugin.hpp>

namespace ferry_sqlite {
namespace {

constexpr const char* kWhat = "storing the checkpoint in table \"ferry_checkpoints\"";

// Binds pointer+length text; NULL data would become SQL NULL, which the
// primary key would then not match.
void bind_text(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text64(s, i, v.data() ? v.data() : "", v.size(), SQLITE_STATIC, SQLITE_UTF8);
}

}  // namespace

CheckpointStore::CheckpointStore(Database& db) : db_(db) {
  // Quoted like every identifier we write: PARTITION is a keyword.
  db_.exec(
      "CREATE TABLE IF NOT EXISTS \"ferry_checkpoints\" ("
      "\"pipeline\" TEXT NOT NULL, \"partition\" TEXT NOT NULL, \"position\" BLOB, "
      "\"run_id\" TEXT, \"updated_at_ms\" INTEGER, PRIMARY KEY (\"pipeline\", \"partition\"))",
      "creating table \"ferry_checkpoints\"");
  upsert_ = db_.prepare(
      "INSERT INTO \"ferry_checkpoints\" "
      "(\"pipeline\", \"partition\", \"position\", \"run_id\", \"updated_at_ms\") "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (\"pipeline\", \"partition\") DO UPDATE SET "
      "\"position\" = excluded.\"position\", \"run_id\" = excluded.\"run_id\", "
      "\"updated_at_ms\" = excluded.\"updated_at_ms\"",
      kWhat);
  select_ = db_.prepare(
      "SELECT \"position\" FROM \"ferry_checkpoints\" "
      "WHERE \"pipeline\" = ?1 AND \"partition\" = ?2",
      "reading table \"ferry_checkpoints\"");
}

void CheckpointStore::save(const FerryCheckpoint& cp, std::string_view fallback_pipeline) {
  if (cp.struct_size < offsetof(FerryCheckpoint, run_id) + sizeof cp.run_id)
    throw ferry::Error(FERRY_ERROR_INTERNAL, "sqlite sink: checkpoint struct is too small");
  std::string_view pipeline = ferry::view(cp.pipeline);
  if (pipeline.empty()) pipeline = fallback_pipeline;
  const std::string_view position = ferry::view(cp.position);
  // Bookkeeping for people reading the table, not data: the clock is fine.
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  sqlite3_stmt* s = upsert_.get();
  bind_text(s, 1, pipeline);
  bind_text(s, 2, ferry::view(cp.partition));
  sqlite3_bind_blob64(s, 3, position.data() ? position.data() : "", position.size(), SQLITE_STATIC);
  bind_text(s, 4, ferry::view(cp.run_id));
  sqlite3_bind_int64(s, 5, now_ms);
  db_.run(s, kWhat);
}

std::optional<std::string> CheckpointStore::load(std::string_view pipeline,
                                                 std::string_view partition) {
  sqlite3_stmt* s = select_.get();
  ResetOnExit reset(s);
  bind_text(s, 1, pipeline);
  bind_text(s, 2, partition);
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) db_.fail(rc, "reading table \"ferry_checkpoints\"");
  const void* data = sqlite3_column_blob(s, 0);
  const int n = sqlite3_column_bytes(s, 0);
  return std::string(static_cast<const char*>(data ? data : ""), static_cast<size_t>(n));
}

}  // namespace ferry_sqlite
