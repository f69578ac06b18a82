#include "sqlite/sqlite_open.h"

#include <chrono>
#include <thread>

#include "sql/sql_identifier.h"

namespace ferry::support {

SqliteOpened open_sqlite(const std::string& path, const SqliteOpenOptions& options) {
  SqliteOpened out;
  out.rc = sqlite3_open_v2(path.c_str(), &out.db, options.flags, nullptr);
  if (out.rc != SQLITE_OK) {
    out.error = out.db ? sqlite3_errmsg(out.db) : sqlite3_errstr(out.rc);
    return out;
  }
  sqlite3_extended_result_codes(out.db, 1);
  sqlite3_busy_timeout(out.db, options.busy_timeout_ms);
  if (!options.wal) return out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.busy_timeout_ms);
  for (;;) {
    std::string mode;
    char* err = nullptr;
    const int rc = sqlite3_exec(
        out.db, "PRAGMA journal_mode = WAL",
        [](void* into, int, char** values, char**) {
          *static_cast<std::string*>(into) = values[0] ? values[0] : "";
          return 0;
        },
        &mode, &err);
    const std::string detail = err ? err : sqlite3_errmsg(out.db);
    sqlite3_free(err);
    const bool busy = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
    if (busy && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    if (rc != SQLITE_OK) {
      out.rc = rc;
      out.error = "cannot switch to WAL mode: " + detail;
      return out;
    }
    out.journal_mode = mode;
    return out;
  }
}

std::string quote_sqlite_ident(std::string_view name) {
  return quote_identifier(name, '"');
}

}  // namespace ferry::support
