#include "sqlite_failure_store.h"

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
  int64_t total = 0;
  for (const ClassCount& c : counts) {
    sqlite3_stmt* s = per_class_.get();
    bind_text(s, 1, pipeline);
    bind_text(s, 2, sink);
    bind_text(s, 3, c.error_class);
    sqlite3_bind_int64(s, 4, c.failures);
    sqlite3_bind_int64(s, 5, at_ms);
    bind_text(s, 6, c.last_message);
    db_.run(s, kClassWhat);
    total += c.failures;
  }
  sqlite3_stmt* s = totals_.get();
  bind_text(s, 1, pipeline);
  sqlite3_bind_int64(s, 2, total);
  sqlite3_bind_int64(s, 3, at_ms);
  db_.run(s, kTotalsWhat);
  tx.commit();
}

}  // namespace ferry_failure_stats
