#include "pg_failure_store.h"

#include "failure_rows.h"
#include "../sql-hook-common/database.h"

namespace ferry_failure_stats {

using namespace ferry_sql_hooks;  // the connections every SQL hook shares

namespace {

constexpr const char* kClassWhat = "updating failure stats";
constexpr const char* kTotalsWhat = "updating failure totals";

// The SQLite schema (sqlite_failure_store.cpp) in PostgreSQL types. An
// advisory lock serializes concurrent first opens, where CREATE ... IF NOT
// EXISTS alone can race.
std::string schema_sql(const std::string& prefix) {
  return "BEGIN;\n"
         "SELECT pg_advisory_xact_lock(hashtext('ferry failure-stats schema'));\n"
         "CREATE TABLE IF NOT EXISTS " + quote_ident(prefix + "failure_stats") +
         " (\"pipeline\" TEXT NOT NULL, \"sink\" TEXT NOT NULL, \"error_class\" TEXT NOT NULL, "
         "\"failures\" BIGINT NOT NULL, \"last_failure_at_ms\" BIGINT NOT NULL, "
         "\"last_message\" TEXT, PRIMARY KEY (\"pipeline\", \"sink\", \"error_class\"));\n"
         "CREATE TABLE IF NOT EXISTS " + quote_ident(prefix + "failure_totals") +
         " (\"pipeline\" TEXT PRIMARY KEY, \"failures\" BIGINT NOT NULL, "
         "\"last_failure_at_ms\" BIGINT NOT NULL);\n"
         "COMMIT;";
}

}  // namespace

PgFailureStore::PgFailureStore(const Options& opts)
    // GREATEST() keeps the newest time if clocks step back between events.
    : per_class_sql_(
          "INSERT INTO " + quote_ident(opts.table_prefix + "failure_stats") +
          " AS \"f\" (\"pipeline\", \"sink\", \"error_class\", \"failures\", "
          "\"last_failure_at_ms\", \"last_message\") VALUES ($1, $2, $3, $4, $5, $6) "
          "ON CONFLICT (\"pipeline\", \"sink\", \"error_class\") DO UPDATE SET "
          "\"failures\" = \"f\".\"failures\" + EXCLUDED.\"failures\", "
          "\"last_failure_at_ms\" = GREATEST(\"f\".\"last_failure_at_ms\", "
          "EXCLUDED.\"last_failure_at_ms\"), "
          "\"last_message\" = EXCLUDED.\"last_message\""),
      totals_sql_(
          "INSERT INTO " + quote_ident(opts.table_prefix + "failure_totals") +
          " AS \"t\" (\"pipeline\", \"failures\", \"last_failure_at_ms\") VALUES ($1, $2, $3) "
          "ON CONFLICT (\"pipeline\") DO UPDATE SET "
          "\"failures\" = \"t\".\"failures\" + EXCLUDED.\"failures\", "
          "\"last_failure_at_ms\" = GREATEST(\"t\".\"last_failure_at_ms\", "
          "EXCLUDED.\"last_failure_at_ms\")"),
      db_(opts.dsn, opts.busy_timeout_ms, "failure-stats") {
  db_.exec(schema_sql(opts.table_prefix), "creating the failure tables");
}

void PgFailureStore::record(std::string_view pipeline, std::string_view sink,
                            const std::vector<ClassCount>& counts, int64_t at_ms) {
  PgTransaction tx(db_);
  upsert_counts<PgParams>(
      pipeline, sink, counts, at_ms, Increments::kOnce,
      [this](const PgParams& p) { db_.exec(per_class_sql_, p, kClassWhat); },
      [this](const PgParams& p) { db_.exec(totals_sql_, p, kTotalsWhat); });
  tx.commit();
}

}  // namespace ferry_failure_stats
