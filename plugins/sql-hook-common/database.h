// The SQL hooks' SQLite connection: support/sqlite's, plus parameters in
// the shape the hooks' row binders use for every driver (PgParams,
// MysqlParams), bound to a prepared statement for one run. Shared by the
// audit-sql and failure-stats plugins.
#ifndef FERRY_PLUGINS_SQL_HOOK_COMMON_DATABASE_H_
#define FERRY_PLUGINS_SQL_HOOK_COMMON_DATABASE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// A statement's parameters, in order (?1, ?2, ...).
class SqliteParams {
 public:
  void text(std::string_view v) { values_.push_back({Kind::kText, 0, std::string(v)}); }
  void bytes(std::string_view v) { values_.push_back({Kind::kBytes, 0, std::string(v)}); }
  void int64(int64_t v) { values_.push_back({Kind::kInteger, v, {}}); }
  void null() { values_.push_back({Kind::kNull, 0, {}}); }
  void clear() { values_.clear(); }

  // Binds them to `s` and runs it; returns the rows it changed.
  int64_t run(Database& db, const Statement& s, std::string_view what) const {
    sqlite3_stmt* stmt = s.get();
    int i = 0;
    for (const Value& v : values_) {
      ++i;
      switch (v.kind) {
        case Kind::kText: bind_text(stmt, i, v.text); break;
        case Kind::kBytes: bind_blob(stmt, i, v.text); break;
        case Kind::kInteger: sqlite3_bind_int64(stmt, i, v.integer); break;
        case Kind::kNull: sqlite3_bind_null(stmt, i); break;
      }
    }
    return db.run(stmt, what);
  }

 private:
  enum class Kind { kText, kBytes, kInteger, kNull };
  struct Value {
    Kind kind;
    int64_t integer;
    std::string text;
  };
  std::vector<Value> values_;
};

}  // namespace ferry_sql_hooks

#endif  // FERRY_PLUGINS_SQL_HOOK_COMMON_DATABASE_H_
