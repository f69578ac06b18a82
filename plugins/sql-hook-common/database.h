// The SQL hooks' SQLite connection: support/sqlite's, plus binders that
// point at the event's own memory (valid for one Database::run, which
// clears them). Shared by the audit-sql and failure-stats plugins.
#ifndef FERRY_PLUGINS_SQL_HOOK_COMMON_DATABASE_H_
#define FERRY_PLUGINS_SQL_HOOK_COMMON_DATABASE_H_

#include <string>
#include <string_view>

#include "sqlite/sqlite_db.h"

namespace ferry_sql_hooks {

using ferry::support::sqlite::Database;
using ferry::support::sqlite::Statement;
using ferry::support::sqlite::Transaction;

// "name" with embedded quotes doubled: safe for any identifier.
inline std::string quote_ident(std::string_view name) { return ferry::support::quote_sqlite_ident(name); }

// A hook's database: `label` starts every message; NOMUTEX, since hooks
// are only ever called from one thread.
inline ferry::support::sqlite::DatabaseOptions hook_database_options(int busy_timeout_ms, std::string label) {
  ferry::support::sqlite::DatabaseOptions o;
  o.label = std::move(label);
  o.open.flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  o.open.busy_timeout_ms = busy_timeout_ms;
  return o;
}

// Pointer+length binders. Empty values bind as '' / x'' and never as NULL:
// sqlite3_bind_*(nullptr) means NULL, which UNIQUE indexes treat as distinct.
inline void bind_text(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text64(s, i, v.data() ? v.data() : "", v.size(), SQLITE_STATIC, SQLITE_UTF8);
}
inline void bind_blob(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_blob64(s, i, v.data() ? v.data() : "", v.size(), SQLITE_STATIC);
}

}  // namespace ferry_sql_hooks

#endif  // FERRY_PLUGINS_SQL_HOOK_COMMON_DATABASE_H_
