#include "database.h"

#include <ferry/plugin.hpp>

#include "sqlite/sqlite_open.h"

namespace ferry_sqlite {
namespace {

// Backoff hint for BUSY/LOCKED: busy_timeout already waited, so this is
// only how long the host should let the other writer finish.
constexpr uint64_t kRetryAfterMs = 200;

}  // namespace

std::string quote_ident(std::string_view name) { return ferry::support::quote_sqlite_ident(name); }

FerryStatus classify(int rc) {
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
      return FERRY_OK;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return FERRY_INVALID_DATA;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return FERRY_RETRY;
    case SQLITE_ERROR:
      return FERRY_ERROR_CONFIG;
    case SQLITE_AUTH:
    case SQLITE_PERM:
      return FERRY_ERROR_AUTH;
    case SQLITE_INTERRUPT:
      return FERRY_ERROR_CANCELLED;
    case SQLITE_NOMEM:
    case SQLITE_MISUSE:
    case SQLITE_INTERNAL:
      return FERRY_ERROR_INTERNAL;
    default:  // CANTOPEN, READONLY, CORRUPT, NOTADB, FULL, IOERR, ...
      return FERRY_ERROR_IO;
  }
}

Database::Database(std::string path, int busy_timeout_ms) : path_(std::move(path)) {
  ferry::support::SqliteOpenOptions options;
  // NOMUTEX: an instance is only ever called by one thread at a time.
  options.flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  options.busy_timeout_ms = busy_timeout_ms;
  // WAL: readers (sqlite3, dashboards) never block our commits.
  options.wal = true;
  ferry::support::SqliteOpened opened = ferry::support::open_sqlite(path_, options);
  db_ = opened.db;
  journal_mode_ = opened.journal_mode;
  if (!opened.error.empty()) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    const FerryStatus st = classify(opened.rc);
    throw ferry::Error(st == FERRY_ERROR_CONFIG ? FERRY_ERROR_IO : st,
                       "sqlite sink: cannot open database " + path_ + ": " + opened.error,
                       st == FERRY_RETRY ? kRetryAfterMs : 0);
  }
}

Database::~Database() { sqlite3_close_v2(db_); }

std::string Database::message(int rc, std::string_view what) const {
  std::string msg = "sqlite sink: ";
  msg += what;
  if (what.find(path_) == std::string_view::npos) {  // callers often name the file already
    msg += " in ";
    msg += path_;
  }
  msg += ": ";
  // errmsg belongs to the last call; fall back to the generic text when a
  // later call (a reset, a rollback) has already replaced it.
  const int last = sqlite3_extended_errcode(db_);
  msg += last == rc ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  return msg;
}

void Database::fail(int rc, std::string_view what) const { fail(classify(rc), rc, what); }

void Database::fail(FerryStatus status, int rc, std::string_view what) const {
  throw ferry::Error(status, message(rc, what), status == FERRY_RETRY ? kRetryAfterMs : 0);
}

void Database::exec(const std::string& sql, std::string_view what) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc, what);
}

Statement Database::prepare(const std::string& sql, std::string_view what) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size() + 1),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  Statement out(stmt);
  if (rc != SQLITE_OK) fail(rc, what);
  return out;
}

void Database::run(sqlite3_stmt* stmt, std::string_view what) {
  ResetOnExit reset(stmt);
  int rc = SQLITE_ROW;
  while (rc == SQLITE_ROW) rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) fail(rc, what);
}

}  // namespace ferry_sqlite
