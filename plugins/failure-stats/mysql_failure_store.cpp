#include "mysql_failure_store.h"

#include "failure_rows.h"

namespace ferry_failure_stats {

using namespace ferry_sql_hooks;  // the connections every SQL hook shares

namespace {

constexpr const char* kClassWhat = "updating failure stats";
constexpr const char* kTotalsWhat = "updating failure totals";
constexpr const char* kSchemaWhat = "creating the failure tables";

// The SQLite schema (sqlite_failure_store.cpp) in MySQL types. Key columns
// are VARCHAR (a key cannot hold a whole TEXT) in a binary collation, so
// names compare byte for byte as in PostgreSQL and SQLite. One CREATE TABLE
// per table: concurrent first opens cannot race half-way.
std::string stats_schema_sql(const std::string& prefix) {
  return "CREATE TABLE IF NOT EXISTS " + quote_mysql_ident(prefix + "failure_stats") +
         " (`pipeline` VARCHAR(255) NOT NULL, `sink` VARCHAR(255) NOT NULL, "
         "`error_class` VARCHAR(64) NOT NULL, `failures` BIGINT NOT NULL, "
         "`last_failure_at_ms` BIGINT NOT NULL, `last_message` LONGTEXT, "
         "PRIMARY KEY (`pipeline`, `sink`, `error_class`)) "
         "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
}

std::string totals_schema_sql(const std::string& prefix) {
  return "CREATE TABLE IF NOT EXISTS " + quote_mysql_ident(prefix + "failure_totals") +
         " (`pipeline` VARCHAR(255) NOT NULL PRIMARY KEY, `failures` BIGINT NOT NULL, "
         "`last_failure_at_ms` BIGINT NOT NULL) "
         "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
}

}  // namespace

MysqlFailureStore::MysqlFailureStore(const Options& opts)
    // GREATEST() keeps the newest time if clocks step back between events.
    // The new values are bound again rather than read with VALUES(), which
    // MySQL 8 deprecates and MariaDB keeps (row aliases are the reverse).
    : per_class_sql_("INSERT INTO " + quote_mysql_ident(opts.table_prefix + "failure_stats") +
                     " (`pipeline`, `sink`, `error_class`, `failures`, `last_failure_at_ms`, "
                     "`last_message`) VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
                     "`failures` = `failures` + ?, "
                     "`last_failure_at_ms` = GREATEST(`last_failure_at_ms`, ?), "
                     "`last_message` = ?"),
      totals_sql_("INSERT INTO " + quote_mysql_ident(opts.table_prefix + "failure_totals") +
                  " (`pipeline`, `failures`, `last_failure_at_ms`) VALUES (?, ?, ?) "
                  "ON DUPLICATE KEY UPDATE `failures` = `failures` + ?, "
                  "`last_failure_at_ms` = GREATEST(`last_failure_at_ms`, ?)"),
      db_(opts.dsn, opts.busy_timeout_ms, "failure-stats") {
  db_.exec(stats_schema_sql(opts.table_prefix), kSchemaWhat);
  db_.exec(totals_schema_sql(opts.table_prefix), kSchemaWhat);
}

void MysqlFailureStore::record(std::string_view pipeline, std::string_view sink,
                               const std::vector<ClassCount>& counts, int64_t at_ms) {
  MysqlTransaction tx(db_);
  upsert_counts<MysqlParams>(
      pipeline, sink, counts, at_ms, Increments::kBoundAgain,
      [this](const MysqlParams& p) { db_.exec(per_class_sql_, p, kClassWhat); },
      [this](const MysqlParams& p) { db_.exec(totals_sql_, p, kTotalsWhat); });
  tx.commit();
}

}  // namespace ferry_failure_stats
