#include "sqlite_audit_store.h"

#include <ferry/plugin.hpp>

#include "audit_rows.h"

namespace ferry_audit_sql {

using namespace ferry_sql_hooks;  // the connections every SQL hook shares

namespace {

constexpr const char* kInsertWhat = "inserting an audit row";
constexpr const char* kStatsWhat = "updating pipeline stats";

// Both granularities share one table, told apart by record_position /
// record_key being NULL (a batch row) or not. Partial unique indexes give
// each kind its own idempotency key, so switching granularity later keeps
// old rows valid. "partition" is quoted everywhere: it is an SQL keyword.
std::string schema_sql(const std::string& prefix) {
  const std::string audit = quote_ident(prefix + "audit");
  const std::string stats = quote_ident(prefix + "pipeline_stats");
  return "CREATE TABLE IF NOT EXISTS " + audit +
         " (\"id\" INTEGER PRIMARY KEY, \"pipeline\" TEXT NOT NULL, \"run_id\" TEXT NOT NULL, "
         "\"sink\" TEXT NOT NULL, \"partition\" TEXT NOT NULL, \"position\" BLOB, "
         "\"record_key\" TEXT, \"record_position\" BLOB, \"records\" INTEGER NOT NULL, "
         "\"committed_at_ms\" INTEGER NOT NULL);\n"
         "CREATE UNIQUE INDEX IF NOT EXISTS " +
         quote_ident(prefix + "audit_batch_once") + " ON " + audit +
         " (\"pipeline\", \"sink\", \"partition\", \"position\") "
         "WHERE \"record_key\" IS NULL AND \"record_position\" IS NULL;\n"
         "CREATE UNIQUE INDEX IF NOT EXISTS " +
         quote_ident(prefix + "audit_record_once") + " ON " + audit +
         " (\"pipeline\", \"sink\", \"partition\", \"record_position\") "
         "WHERE \"record_position\" IS NOT NULL;\n"
         "CREATE TABLE IF NOT EXISTS " + stats +
         " (\"pipeline\" TEXT PRIMARY KEY, \"last_commit_at_ms\" INTEGER NOT NULL, "
         "\"records\" INTEGER NOT NULL, \"batches\" INTEGER NOT NULL);";
}

}  // namespace

SqliteAuditStore::SqliteAuditStore(const std::string& path, const Options& opts)
    : granularity_(opts.granularity), db_(path, hook_database_options(opts.busy_timeout_ms, "audit-sql")) {
  db_.exec(schema_sql(opts.table_prefix), "creating the audit tables");
  insert_ = db_.prepare(
      "INSERT OR IGNORE INTO " + quote_ident(opts.table_prefix + "audit") +
          " (\"pipeline\", \"run_id\", \"sink\", \"partition\", \"position\", \"record_key\", "
          "\"record_position\", \"records\", \"committed_at_ms\") "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
      kInsertWhat);
  stats_ = db_.prepare(
      "INSERT INTO " + quote_ident(opts.table_prefix + "pipeline_stats") +
          " (\"pipeline\", \"last_commit_at_ms\", \"records\", \"batches\") "
          "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (\"pipeline\") DO UPDATE SET "
          "\"last_commit_at_ms\" = max(\"last_commit_at_ms\", excluded.\"last_commit_at_ms\"), "
          "\"records\" = \"records\" + excluded.\"records\", "
          "\"batches\" = \"batches\" + excluded.\"batches\"",
      kStatsWhat);
}

void SqliteAuditStore::record(const FerryCheckpointEvent& e, int64_t at_ms) {
  Transaction tx(db_);
  // One row per statement: SQLite runs a prepared statement per row as fast
  // as a server runs a multi-row one. A record without a position cannot be
  // recognised when delivered again: it gets NULL, stays outside the unique
  // index, and is audited every time (documented in docs/hooks.md).
  audit_event<SqliteParams>(
      e, at_ms, granularity_, 1, Increments::kOnce,
      [this](size_t, const SqliteParams& p) { return p.run(db_, insert_, kInsertWhat); },
      [this](const SqliteParams& p) { p.run(db_, stats_, kStatsWhat); });
  tx.commit();
}

}  // namespace ferry_audit_sql
