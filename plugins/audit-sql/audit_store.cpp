#include "audit_store.h"

#include <ferry/plugin.hpp>

#include <algorithm>
#include <utility>

#include "../sql-hook-common/hook_sql.h"

namespace ferry_audit_sql {

using namespace ferry_sql_hooks;  // what every SQL hook shares

namespace {

constexpr const char* kInsertWhat = "inserting an audit row";
constexpr const char* kStatsWhat = "updating pipeline stats";

const std::vector<const char*> kAuditColumns = {"pipeline",   "run_id",          "sink",    "partition",
                                                "position",   "record_key",      "record_position",
                                                "records",    "committed_at_ms"};

// Rows per INSERT statement in record granularity: servers take at most
// 65535 parameters per statement, and SQLite runs a prepared one-row
// statement per row as fast as a server runs a multi-row one.
size_t rows_per_insert(Dialect d) { return d == Dialect::kSqlite ? 1 : 1000; }

// SHA-256 of what identifies an audit row in MySQL: pipeline, sink and
// partition, each after its byte length (so "ab","c" and "a","bc" differ),
// then `last`. NULL when `last` is NULL, since CONCAT is.
std::string identity_digest(const std::string& last) {
  return "UNHEX(SHA2(CONCAT(LENGTH(`pipeline`), ':', `pipeline`, LENGTH(`sink`), ':', `sink`, "
         "LENGTH(`partition`), ':', `partition`, " + last + "), 256))";
}

// Both granularities share one table, told apart by record_position /
// record_key being NULL (a batch row) or not, and each kind has its own
// idempotency key, so switching granularity later keeps old rows valid.
// PostgreSQL and SQLite key them with partial unique indexes. MySQL has
// none, and unique keys over long TEXT/BLOB values would only compare a
// prefix, so there each key is a stored generated column holding a digest
// of the full values, NULL for rows the key does not cover (NULLs never
// collide in a unique key).
std::vector<SchemaObject> schema(Dialect d, const std::string& prefix) {
  Table audit{prefix + "audit",
              {{"id", ColumnType::kId},
               {"pipeline", ColumnType::kKeyName},
               {"run_id", ColumnType::kText},
               {"sink", ColumnType::kKeyName},
               {"partition", ColumnType::kText},
               {"position", ColumnType::kBytes, true},
               {"record_key", ColumnType::kText, true},
               {"record_position", ColumnType::kBytes, true},
               {"records", ColumnType::kInt64},
               {"committed_at_ms", ColumnType::kInt64}},
              {}};
  const Table stats{prefix + "pipeline_stats",
                    {{"pipeline", ColumnType::kKeyName},
                     {"last_commit_at_ms", ColumnType::kInt64},
                     {"records", ColumnType::kInt64},
                     {"batches", ColumnType::kInt64}},
                    {"pipeline"}};
  if (d == Dialect::kMysql) {
    audit.more = {
        "`batch_digest` BINARY(32) AS (IF(`record_key` IS NULL AND `record_position` IS NULL, " +
            identity_digest("`position`") + ", NULL)) STORED",
        "`record_digest` BINARY(32) AS (" + identity_digest("`record_position`") + ") STORED",
        "UNIQUE KEY " + quote(d, prefix + "audit_batch_once") + " (`batch_digest`)",
        "UNIQUE KEY " + quote(d, prefix + "audit_record_once") + " (`record_digest`)"};
    return {{audit.name, create_table_sql(d, audit)}, {stats.name, create_table_sql(d, stats)}};
  }
  const std::string on = " ON " + quote(d, audit.name);
  return {{audit.name, create_table_sql(d, audit)},
          {prefix + "audit_batch_once",
           "CREATE UNIQUE INDEX IF NOT EXISTS " + quote(d, prefix + "audit_batch_once") + on +
               " (\"pipeline\", \"sink\", \"partition\", \"position\") "
               "WHERE \"record_key\" IS NULL AND \"record_position\" IS NULL"},
          {prefix + "audit_record_once",
           "CREATE UNIQUE INDEX IF NOT EXISTS " + quote(d, prefix + "audit_record_once") + on +
               " (\"pipeline\", \"sink\", \"partition\", \"record_position\") WHERE \"record_position\" IS NOT NULL"},
          {stats.name, create_table_sql(d, stats)}};
}

void bind_event_columns(Params& p, const FerryCheckpointEvent& e) {
  p.text(ferry::view(e.pipeline));
  p.text(ferry::view(e.run_id));
  p.text(ferry::view(e.sink));
  p.text(ferry::view(e.partition));
  p.bytes(ferry::view(e.position));
}

}  // namespace

AuditStore::AuditStore(std::unique_ptr<HookDb> db, const Options& opts)
    : db_(std::move(db)),
      granularity_(opts.granularity),
      audit_table_(opts.table_prefix + "audit"),
      rows_per_insert_(rows_per_insert(db_->dialect())),
      full_insert_(insert_new_rows_sql(db_->dialect(), audit_table_, kAuditColumns, rows_per_insert_, "id")),
      stats_(upsert_sql(db_->dialect(), opts.table_prefix + "pipeline_stats",
                        {"pipeline", "last_commit_at_ms", "records", "batches"}, {"pipeline"},
                        {{"last_commit_at_ms", Merge::kMax}, {"records", Merge::kAdd}, {"batches", Merge::kAdd}})) {
  db_->create_schema(schema(db_->dialect(), opts.table_prefix), "ferry audit-sql schema");
  db_->check(full_insert_, kInsertWhat);
  db_->check(stats_, kStatsWhat);
}

int64_t AuditStore::insert(size_t rows, const Params& params) {
  if (rows == rows_per_insert_) return db_->exec(full_insert_, params, kInsertWhat);
  return db_->exec(insert_new_rows_sql(db_->dialect(), audit_table_, kAuditColumns, rows, "id"), params, kInsertWhat);
}

// Batch granularity: one row for the batch.
AuditStore::Added AuditStore::insert_batch_row(const FerryCheckpointEvent& e, int64_t at_ms) {
  const int64_t n = e.batch ? static_cast<int64_t>(e.batch->n_rows) : 0;
  Params p;
  bind_event_columns(p, e);
  p.null();
  p.null();
  p.int64(n);
  p.int64(at_ms);
  if (insert(1, p) == 0) return Added{};  // audited before
  return Added{n, 1};
}

// Record granularity: a row per record, rows_per_insert_ rows per statement.
AuditStore::Added AuditStore::insert_record_rows(const FerryCheckpointEvent& e, int64_t at_ms) {
  Added added;
  if (e.batch == nullptr) return added;
  const ferry::BatchView batch(e.batch);
  Params p;
  for (size_t first = 0; first < batch.rows(); first += rows_per_insert_) {
    const size_t count = std::min(rows_per_insert_, batch.rows() - first);
    p.clear();
    for (size_t r = first; r < first + count; ++r) {
      bind_event_columns(p, e);
      p.text(batch.key(r));
      // A record without a position cannot be recognised when delivered
      // again: it gets NULL, stays outside the unique key, and is audited
      // every time (documented in docs/hooks.md).
      if (batch.position(r).empty()) p.null();
      else p.bytes(batch.position(r));
      p.int64(1);
      p.int64(at_ms);
    }
    added.records += insert(count, p);
  }
  added.batches = added.records > 0 ? 1 : 0;
  return added;
}

void AuditStore::record(const FerryCheckpointEvent& e, int64_t at_ms) {
  const std::unique_ptr<HookTransaction> tx = db_->begin();
  const Added added =
      granularity_ == Granularity::kBatch ? insert_batch_row(e, at_ms) : insert_record_rows(e, at_ms);
  // Stats count only what this call newly audited, so a re-delivered batch
  // leaves them as they were.
  if (added.batches > 0) {
    Params p;
    p.text(ferry::view(e.pipeline));
    p.int64(at_ms);
    p.int64(added.records);
    p.int64(added.batches);
    db_->exec(stats_, p, kStatsWhat);
  }
  tx->commit();
}

}  // namespace ferry_audit_sql
