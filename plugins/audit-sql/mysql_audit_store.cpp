#include "mysql_audit_store.h"

#include <ferry/plugin.hpp>

#include "audit_rows.h"

namespace ferry_audit_sql {

using namespace ferry_sql_hooks;  // the connections every SQL hook shares

namespace {

constexpr const char* kInsertWhat = "inserting an audit row";
constexpr const char* kStatsWhat = "updating pipeline stats";
// Rows per INSERT statement in record granularity (a prepared statement
// takes at most 65535 parameters).
constexpr size_t kRowsPerInsert = 1000;

// SHA-256 of what identifies an audit row: pipeline, sink and partition, each
// after its byte length (so "ab","c" and "a","bc" differ), then `last`. NULL
// when `last` is NULL, since CONCAT is.
std::string identity_digest(const std::string& last) {
  return "UNHEX(SHA2(CONCAT(LENGTH(`pipeline`), ':', `pipeline`, LENGTH(`sink`), ':', `sink`, "
         "LENGTH(`partition`), ':', `partition`, " + last + "), 256))";
}

// The SQLite schema (sqlite_audit_store.cpp) in MySQL types. MySQL has no
// partial indexes, and unique keys over long TEXT/BLOB values would only
// compare a prefix, so each idempotency key is a stored generated column
// holding a digest of the full values, NULL for rows the key does not cover
// (NULLs never collide in a unique key). Binary collation compares names
// byte for byte, as PostgreSQL and SQLite do. One CREATE TABLE per table,
// indexes inline: concurrent first opens cannot race half-way.
std::string audit_schema_sql(const std::string& prefix) {
  return "CREATE TABLE IF NOT EXISTS " + quote_mysql_ident(prefix + "audit") +
         " (`id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
         "`pipeline` VARCHAR(255) NOT NULL, `run_id` LONGTEXT NOT NULL, "
         "`sink` VARCHAR(255) NOT NULL, `partition` LONGTEXT NOT NULL, `position` LONGBLOB, "
         "`record_key` LONGTEXT, `record_position` LONGBLOB, `records` BIGINT NOT NULL, "
         "`committed_at_ms` BIGINT NOT NULL, "
         "`batch_digest` BINARY(32) AS (IF(`record_key` IS NULL AND `record_position` IS NULL, " +
         identity_digest("`position`") + ", NULL)) STORED, "
         "`record_digest` BINARY(32) AS (" + identity_digest("`record_position`") + ") STORED, "
         "UNIQUE KEY " + quote_mysql_ident(prefix + "audit_batch_once") + " (`batch_digest`), "
         "UNIQUE KEY " + quote_mysql_ident(prefix + "audit_record_once") + " (`record_digest`)) "
         "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
}

std::string stats_schema_sql(const std::string& prefix) {
  return "CREATE TABLE IF NOT EXISTS " + quote_mysql_ident(prefix + "pipeline_stats") +
         " (`pipeline` VARCHAR(255) NOT NULL PRIMARY KEY, `last_commit_at_ms` BIGINT NOT NULL, "
         "`records` BIGINT NOT NULL, `batches` BIGINT NOT NULL) "
         "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
}

}  // namespace

MysqlAuditStore::MysqlAuditStore(const Options& opts)
    : granularity_(opts.granularity),
      audit_table_(quote_mysql_ident(opts.table_prefix + "audit")),
      // The increments are bound again rather than read with VALUES(), which
      // MySQL 8 deprecates and MariaDB keeps (row aliases are the reverse).
      stats_sql_("INSERT INTO " + quote_mysql_ident(opts.table_prefix + "pipeline_stats") +
                 " (`pipeline`, `last_commit_at_ms`, `records`, `batches`) VALUES (?, ?, ?, ?) "
                 "ON DUPLICATE KEY UPDATE "
                 "`last_commit_at_ms` = GREATEST(`last_commit_at_ms`, ?), "
                 "`records` = `records` + ?, `batches` = `batches` + ?"),
      db_(opts.dsn, opts.busy_timeout_ms, "audit-sql") {
  db_.exec(audit_schema_sql(opts.table_prefix), "creating the audit tables");
  db_.exec(stats_schema_sql(opts.table_prefix), "creating the audit tables");
}

std::string MysqlAuditStore::insert_sql(size_t rows) const {
  std::string sql = "INSERT INTO " + audit_table_ +
                    " (`pipeline`, `run_id`, `sink`, `partition`, `position`, `record_key`, "
                    "`record_position`, `records`, `committed_at_ms`) VALUES ";
  for (size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (int c = 0; c < kAuditColumns; ++c) sql += c == 0 ? "?" : ", ?";
    sql += ")";
  }
  // A repeat on either unique key (also within this statement) changes
  // nothing and counts 0 affected rows. Not INSERT IGNORE: that would also
  // turn bad values into warnings and store them mangled.
  sql += " ON DUPLICATE KEY UPDATE `id` = `id`";
  return sql;
}

void MysqlAuditStore::record(const FerryCheckpointEvent& e, int64_t at_ms) {
  MysqlTransaction tx(db_);
  audit_event<MysqlParams>(
      e, at_ms, granularity_, kRowsPerInsert, Increments::kBoundAgain,
      [this](size_t rows, const MysqlParams& p) { return db_.exec(insert_sql(rows), p, kInsertWhat); },
      [this](const MysqlParams& p) { db_.exec(stats_sql_, p, kStatsWhat); });
  tx.commit();
}

}  // namespace ferry_audit_sql
