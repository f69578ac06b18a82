// Opening a SQLite database the way every part of Ferry does: the state
// store, the sqlite sink and the SQL hooks.
//
// Switching a file to WAL needs an exclusive lock for which SQLite does not
// call the busy handler, so two processes (or two workers) opening a new
// file at once used to fail one of them with "database is locked". The
// switch is retried here until the busy timeout runs out.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>

namespace ferry::support {

struct SqliteOpenOptions {
  // A connection is used by one thread at a time (the state store guards its
  // own with a mutex; a plugin instance is called by one thread at a time),
  // so SQLite's mutex around every call is left out: NOMUTEX.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int busy_timeout_ms = 10000;
  bool wal = false;  // switch to WAL (a file, not ":memory:")
};

struct SqliteOpened {
  sqlite3* db = nullptr;    // owned by the caller (sqlite3_close_v2), also on failure
  int rc = SQLITE_OK;       // of the step that failed
  std::string error;        // empty on success
  std::string journal_mode;  // what the file is in after the switch
};

SqliteOpened open_sqlite(const std::string& path, const SqliteOpenOptions& options);

// "name" with embedded quotes doubled: safe for any identifier.
std::string quote_sqlite_ident(std::string_view name);

}  // namespace ferry::support
