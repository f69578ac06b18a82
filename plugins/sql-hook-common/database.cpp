#include "database.h"

#include <ferry/plugin.hpp>

#include "sqlite/sqlite_open.h"

namespace ferry_sql_hooks {
namespace {

// busy_timeout already waited for the other writer; this only spaces out the
// host's next attempt.
constexpr uint64_t kRetryAfterMs = 200;

// Resets a statement on every path out of run(): an active statement would
// block COMMIT and ROLLBACK.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* s) : s_(s) {}
  ~ResetOnExit() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* s_;
};

}  // namespace

std::string quote_ident(std::string_view name) { return ferry::support::quote_sqlite_ident(name); }

FerryStatus classify(int rc) {
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
      return FERRY_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return FERRY_RETRY;
    case SQLITE_ERROR:  // a table of that name with other columns, ...
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
    default:  // CANTOPEN, READONLY, CORRUPT, FULL, IOERR, ...
      return FERRY_ERROR_IO;
  }
}

void bind_text(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text64(s, i, v.data() ? v.data() : "", v.size(), SQLITE_STATIC, SQLITE_UTF8);
}

void bind_blob(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_blob64(s, i, v.data() ? v.data() : "", v.size(), SQLITE_STATIC);
}

Database::Database(std::string path, int busy_timeout_ms, std::string label)
    : path_(std::move(path)), label_(std::move(label)) {
  ferry::support::SqliteOpenOptions options;
  // NOMUTEX: hooks are only ever called from one thread.
  options.flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  options.busy_timeout_ms = busy_timeout_ms;
  ferry::support::SqliteOpened opened = ferry::support::open_sqlite(path_, options);
  db_ = opened.db;
  if (!opened.error.empty()) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    const FerryStatus st = classify(opened.rc);
    throw ferry::Error(st == FERRY_ERROR_CONFIG ? FERRY_ERROR_IO : st,
                       label_ + ": cannot open database " + path_ + ": " + opened.error);
  }
}

Database::~Database() { sqlite3_close_v2(db_); }

void Database::fail(int rc, std::string_view what) const {
  // errmsg describes the last call; a later reset may have replaced it.
  const char* detail =
      sqlite3_extended_errcode(db_) == rc ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  const FerryStatus st = classify(rc);
  throw ferry::Error(st,
                     label_ + ": " + std::string(what) + " in " + path_ + ": " + detail,
                     st == FERRY_RETRY ? kRetryAfterMs : 0);
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

int Database::run(sqlite3_stmt* stmt, std::string_view what) {
  ResetOnExit reset(stmt);
  int rc = SQLITE_ROW;
  while (rc == SQLITE_ROW) rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) fail(rc, what);
  return sqlite3_changes(sqlite3_db_handle(stmt));
}

Transaction::Transaction(Database& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE", "starting a transaction");
  open_ = true;
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    db_.exec("ROLLBACK", "rolling back");
  } catch (...) {
    // SQLite may already have rolled back on its own (IOERR, FULL); the
    // error that got us here is the one worth reporting.
  }
}

void Transaction::commit() {
  db_.exec("COMMIT", "committing");
  open_ = false;
}

}  // namespace ferry_sql_hooks
