#include "sqlite_failure_store.h"

#include "failure_rows.h"

namespace ferry_failure_stats {

using namespace ferry_sql_hooks;  // the connections every SQL hook shares

namespace {

constexpr const char* kClassWhat = "updating failure stats";
constexpr const char* kTotalsWhat = "updating failure totals";

std::string schema_sql(const std::string& prefix) {
  return "CREATE TABLE IF NOT EXISTS " + quote_ident(prefix + "failure_stats") +
         " (\"pipeline\" TEXT NOT NULL, \"sink\" TEXT NOT NULL, \"error_class\" TEXT NOT NULL, "
         "\"failures\" INTEGER NOT NULL, \"last_failure_at_ms\" INTEGER NOT NULL, "
         "\"last_message\" TEXT, PRIMARY KEY (\"pipeline\", \"sink\", \"error_class\"));\n"
         "CREATE TABLE IF NOT EXISTS " + quote_ident(prefix + "failure_totals") +
         " (\"pipeline\" TEXT PRIMARY KEY, \"failures\" INTEGER NOT NULL, "
         "\"last_failure_at_ms\" INTEGER NOT NULL);";
}

}  // namespace

SqliteFailureStore::SqliteFailureStore(const std::string& path, const Options& opts)
    : db_(path, hook_database_options(opts.busy_timeout_ms, "failure-stats")) {
  db_.exec(schema_sql(opts.table_prefix), "creating the failure tables");
  // max() keeps the newest time if clocks step back between events.
  per_class_ = db_.prepare(
      "INSERT INTO " + quote_ident(opts.table_prefix + "failure_stats") +
          " (\"pipeline\", \"sink\", \"error_class\", \"failures\", \"last_failure_at_ms\", "
          "\"last_message\") VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
          "ON CONFLICT (\"pipeline\", \"sink\", \"error_class\") DO UPDATE SET "
          "\"failures\" = \"failures\" + excluded.\"failures\", "
          "\"last_failure_at_ms\" = max(\"last_failure_at_ms\", excluded.\"last_failure_at_ms\"), "
          "\"last_message\" = excluded.\"last_message\"",
      kClassWhat);
  totals_ = db_.prepare(
      "INSERT INTO " + quote_ident(opts.table_prefix + "failure_totals") +
          " (\"pipeline\", \"failures\", \"last_failure_at_ms\") VALUES (?1, ?2, ?3) "
          "ON CONFLICT (\"pipeline\") DO UPDATE SET "
          "\"failures\" = \"failures\" + excluded.\"failures\", "
          "\"last_failure_at_ms\" = max(\"last_failure_at_ms\", excluded.\"last_failure_at_ms\")",
      kTotalsWhat);
}

void SqliteFailureStore::record(std::string_view pipeline, std::string_view sink,
                                const std::vector<ClassCount>& counts, int64_t at_ms) {
  Transaction tx(db_);
  upsert_counts<SqliteParams>(
      pipeline, sink, counts, at_ms, Increments::kOnce,
      [this](const SqliteParams& p) { p.run(db_, per_class_, kClassWhat); },
      [this](const SqliteParams& p) { p.run(db_, totals_, kTotalsWhat); });
  tx.commit();
}

}  // namespace ferry_failure_stats
