#include "sqlite/sqlite_db.h"

namespace ferry::support::sqlite {

FerryStatus status_of(int rc) {
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

// --- Statement ---------------------------------------------------------------

void Statement::check_bind(int rc) {
  if (rc != SQLITE_OK) db_->fail(rc, "binding a parameter of " + what_);
}

Statement& Statement::text(int i, std::string_view v) {
  check_bind(sqlite3_bind_text64(stmt_.get(), i, v.data() ? v.data() : "", v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::blob(int i, std::string_view v) {
  check_bind(sqlite3_bind_blob64(stmt_.get(), i, v.data() ? v.data() : "", v.size(), SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::integer(int i, int64_t v) {
  check_bind(sqlite3_bind_int64(stmt_.get(), i, v));
  return *this;
}

Statement& Statement::null(int i) {
  check_bind(sqlite3_bind_null(stmt_.get(), i));
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_->fail(rc, what_);
}

int64_t Statement::run() {
  while (step()) {
  }
  return db_->changes();
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string Statement::text_at(int col) const { return std::string(text_view_at(col)); }

std::string_view Statement::text_view_at(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), col));
  if (!p) return {};
  return std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col)));
}

// A zero-length blob comes back as a null pointer.
std::string Statement::blob_at(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), col));
  if (!p) return {};
  return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col)));
}

// --- Database ----------------------------------------------------------------

Database::Database(std::string path, DatabaseOptions options) : path_(std::move(path)), options_(std::move(options)) {
  SqliteOpened opened = open_sqlite(path_, options_.open);
  db_ = opened.db;
  journal_mode_ = opened.journal_mode;
  if (opened.error.empty()) return;
  sqlite3_close_v2(db_);
  db_ = nullptr;
  // A file that cannot be opened is not a table that is missing.
  const FerryStatus st = status_of(opened.rc);
  raise(Failure(st == FERRY_ERROR_CONFIG ? FERRY_ERROR_IO : st,
                options_.label + ": cannot open database " + path_ + ": " + opened.error, opened.rc,
                st == FERRY_RETRY ? options_.busy_retry_after_ms : 0));
}

void Database::raise(const Failure& f) const {
  if (options_.raise) options_.raise(f);
  throw f;
}

Database::~Database() {
  for (auto& [sql, c] : cache_) sqlite3_finalize(c.stmt);
  sqlite3_close_v2(db_);
}

std::string Database::message(int rc, std::string_view what) const {
  std::string msg = options_.label + ": ";
  msg += what;
  if (what.find(path_) == std::string_view::npos) {  // callers often name the file already
    msg += " in ";
    msg += path_;
  }
  msg += ": ";
  // errmsg belongs to the last call; a later one (a reset, a rollback) may
  // have replaced it, and then the generic text is the truth.
  msg += sqlite3_extended_errcode(db_) == rc ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  return msg;
}

void Database::fail(int rc, std::string_view what) const { fail(status_of(rc), rc, what); }

void Database::fail(FerryStatus status, int rc, std::string_view what) const {
  raise(Failure(status, message(rc, what), rc, status == FERRY_RETRY ? options_.busy_retry_after_ms : 0));
}

void Database::exec(const std::string& sql, std::string_view what) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc, what);
}

Statement Database::prepare(const std::string& sql, std::string_view what, bool persistent) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size() + 1),
                                    persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  Statement out(this, stmt, std::string(what));
  if (rc != SQLITE_OK) fail(rc, what);
  return out;
}

Statement Database::prepare_cached(const std::string& sql, std::string_view what) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size() + 1), SQLITE_PREPARE_PERSISTENT,
                                      &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      fail(rc, what);
    }
    it = cache_.emplace(sql, Cached{}).first;
    it->second.stmt = stmt;
  }
  Cached& c = it->second;
  if (*c.in_use) return prepare(sql, what);
  *c.in_use = true;
  return Statement(this, c.stmt, std::string(what), c.in_use.get());
}

int64_t Database::run(sqlite3_stmt* stmt, std::string_view what) {
  ResetOnExit reset(stmt);
  int rc = SQLITE_ROW;
  while (rc == SQLITE_ROW) rc = sqlite3_step(stmt);
  // Bound values may point at the caller's memory (SQLITE_STATIC): none
  // outlives the run.
  sqlite3_clear_bindings(stmt);
  if (rc != SQLITE_DONE) fail(rc, what);
  return changes();
}

// --- Transaction -------------------------------------------------------------

// BEGIN and COMMIT run for every batch: cached, they are not parsed again
// each time.
Transaction::Transaction(Database& db) : db_(db) {
  db_.prepare_cached("BEGIN IMMEDIATE", "starting a transaction").run();
  open_ = true;
}

Transaction::~Transaction() {
  if (!open_) return;
  // SQLite may already have rolled back on its own (IOERR, FULL); the error
  // that got here is the one worth reporting.
  if (db_.in_transaction()) sqlite3_exec(db_.raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.prepare_cached("COMMIT", "committing").run();
  open_ = false;
}

}  // namespace ferry::support::sqlite
