// The sink's SQLite connection: support/sqlite's, opened as the sink needs.
#ifndef FERRY_PLUGINS_SQLITE_DATABASE_H_
#define FERRY_PLUGINS_SQLITE_DATABASE_H_

#include <string>
#include <string_view>

#include "sqlite/sqlite_db.h"

namespace ferry_sqlite {

using ferry::support::sqlite::Database;
using ferry::support::sqlite::ResetOnExit;
using ferry::support::sqlite::Statement;

// "name" with embedded quotes doubled: safe for any identifier.
inline std::string quote_ident(std::string_view name) { return ferry::support::quote_sqlite_ident(name); }

// WAL (readers such as sqlite3 or a dashboard never block the sink's
// commits), NOMUTEX (one thread calls an instance at a time).
inline ferry::support::sqlite::DatabaseOptions sink_database_options(int busy_timeout_ms) {
  ferry::support::sqlite::DatabaseOptions o;
  o.label = "sqlite sink";
  o.open.flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  o.open.busy_timeout_ms = busy_timeout_ms;
  o.open.wal = true;
  return o;
}

}  // namespace ferry_sqlite

#endif  // FERRY_PLUGINS_SQLITE_DATABASE_H_
