#include "sqlite_audit_store.h"

#include <ferry/plugin.hpp>

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
  const Added added = granularity_ == Granularity::kBatch ? insert_batch_row(e, at_ms)
                                                          : insert_record_rows(e, at_ms);
  // Stats count only what this call newly audited, so a re-delivered batch
  // leaves them as they were.
  if (added.batches > 0) {
    sqlite3_stmt* s = stats_.get();
    bind_text(s, 1, ferry::view(e.pipeline));
    sqlite3_bind_int64(s, 2, at_ms);
    sqlite3_bind_int64(s, 3, added.records);
    sqlite3_bind_int64(s, 4, added.batches);
    db_.run(s, kStatsWhat);
  }
  tx.commit();
}

SqliteAuditStore::Added SqliteAuditStore::insert_batch_row(const FerryCheckpointEvent& e,
                                                           int64_t at_ms) {
  const int64_t n = e.batch ? static_cast<int64_t>(e.batch->n_rows) : 0;
  sqlite3_stmt* s = insert_.get();
  bind_text(s, 1, ferry::view(e.pipeline));
  bind_text(s, 2, ferry::view(e.run_id));
  bind_text(s, 3, ferry::view(e.sink));
  bind_text(s, 4, ferry::view(e.partition));
  bind_blob(s, 5, ferry::view(e.position));
  sqlite3_bind_null(s, 6);
  sqlite3_bind_null(s, 7);
  sqlite3_bind_int64(s, 8, n);
  sqlite3_bind_int64(s, 9, at_ms);
  if (db_.run(s, kInsertWhat) == 0) return Added{};
  return Added{n, 1};
}

SqliteAuditStore::Added SqliteAuditStore::insert_record_rows(const FerryCheckpointEvent& e,
                                                             int64_t at_ms) {
  Added added;
  if (e.batch == nullptr) return added;
  const ferry::BatchView batch(e.batch);
  sqlite3_stmt* s = insert_.get();
  for (size_t r = 0; r < batch.rows(); ++r) {
    bind_text(s, 1, ferry::view(e.pipeline));
    bind_text(s, 2, ferry::view(e.run_id));
    bind_text(s, 3, ferry::view(e.sink));
    bind_text(s, 4, ferry::view(e.partition));
    bind_blob(s, 5, ferry::view(e.position));
    bind_text(s, 6, batch.key(r));
    // A record without a position cannot be recognised when delivered
    // again: it gets NULL, stays outside the unique index, and is audited
    // every time (documented in docs/hooks.md).
    if (batch.position(r).empty()) {
      sqlite3_bind_null(s, 7);
    } else {
      bind_blob(s, 7, batch.position(r));
    }
    sqlite3_bind_int64(s, 8, 1);
    sqlite3_bind_int64(s, 9, at_ms);
    added.records += db_.run(s, kInsertWhat);
  }
  added.batches = added.records > 0 ? 1 : 0;
  return added;
}

}  // namespace ferry_audit_sql
