// The SQLite connection under the state store: prepared statements with
// bound parameters, a connection in WAL mode with synchronous=FULL, and
// transactions that roll back unless committed. Used by one store object
// at a time (its mutex); several objects or processes on one file
// serialise through SQLite's own locking, waiting up to kBusyTimeoutMs.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "common/error.h"
#include "state/state_clock.h"
#include "sqlite/sqlite_open.h"

namespace ferry::core::sqlite_state {

// Long enough to ride out another process committing a large DLQ batch, short
// enough that a wedged writer surfaces as an error rather than a hang.
constexpr int kBusyTimeoutMs = 10000;

constexpr const char* kMemoryPath = ":memory:";

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

[[noreturn]] inline void fail(const std::string& path, const std::string& what, const char* detail) {
  throw Error("state store " + path + ": " + what + ": " + (detail ? detail : "unknown error"));
}

// One prepared statement. Columns and parameters are 1-based for binds (as
// in SQLite) and 0-based for results.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& path, const std::string& sql)
      : db_(db), path_(path), sql_(sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr) !=
        SQLITE_OK) {
      fail(path_, "cannot prepare '" + summary() + "'", sqlite3_errmsg(db_));
    }
    stmt_.reset(raw);
  }

  Statement& text(int i, const std::string& v) {
    check(sqlite3_bind_text64(stmt_.get(), i, v.data(), v.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8));
    return *this;
  }
  // v.data() is never null, so an empty string binds a zero-length blob, not NULL.
  Statement& blob(int i, const std::string& v) {
    check(sqlite3_bind_blob64(stmt_.get(), i, v.data(), v.size(), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& integer(int i, int64_t v) {
    check(sqlite3_bind_int64(stmt_.get(), i, v));
    return *this;
  }
  Statement& null(int i) {
    check(sqlite3_bind_null(stmt_.get(), i));
    return *this;
  }

  // True while a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(path_, "cannot run '" + summary() + "'", sqlite3_errmsg(db_));
  }
  void run() {
    while (step()) {
    }
  }
  void reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
  }

  std::string text_at(int col) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), col));
    if (!p) return {};
    return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col)));
  }
  // Zero-length blobs come back as a null pointer.
  std::string blob_at(int col) const {
    auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), col));
    if (!p) return {};
    return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col)));
  }
  int64_t integer_at(int col) const { return sqlite3_column_int64(stmt_.get(), col); }

 private:
  // Enough of the SQL to tell which statement failed.
  std::string summary() const { return sql_.size() <= 60 ? sql_ : sql_.substr(0, 57) + "..."; }

  void check(int rc) {
    if (rc != SQLITE_OK) fail(path_, "cannot bind parameter", sqlite3_errmsg(db_));
  }

  sqlite3* db_;
  const std::string& path_;
  std::string sql_;
  StmtPtr stmt_;
};

class Connection {
 public:
  explicit Connection(std::string path) : path_(std::move(path)) {
    support::SqliteOpenOptions options;
    options.busy_timeout_ms = kBusyTimeoutMs;
    // WAL lets `ferry checkpoint show` read while a run is writing.
    options.wal = path_ != kMemoryPath;
    support::SqliteOpened opened = support::open_sqlite(path_, options);
    db_.reset(opened.db);  // even a failed open returns a handle that must be closed
    if (!opened.error.empty()) fail(path_, "cannot open", opened.error.c_str());
    if (options.wal && opened.journal_mode != "wal")
      throw Error("state store " + path_ + ": cannot switch to WAL mode (journal mode is '" + opened.journal_mode +
                  "')");
    if (options.wal) {
      // In WAL mode, synchronous=NORMAL syncs the WAL only at checkpoints, so
      // the last commits can vanish on power loss. A lost checkpoint makes the
      // next run re-deliver records the sinks already hold; FULL syncs the WAL
      // on every commit so a saved checkpoint is really saved.
      exec("PRAGMA synchronous = FULL");
    }
    ensure_schema();
  }

  // SQLite's own consistency check; empty when the file is sound.
  std::string damage() {
    auto s = prepare("PRAGMA quick_check");
    std::string first;
    while (s.step()) {
      std::string line = s.text_at(0);
      if (line == "ok") continue;
      if (first.empty()) first = line;
    }
    return first;
  }

  const std::string& path() const { return path_; }
  sqlite3* db() const { return db_.get(); }

  Statement prepare(const std::string& sql) { return Statement(db_.get(), path_, sql); }

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err) == SQLITE_OK) return;
    std::string detail = err ? err : sqlite3_errmsg(db_.get());
    sqlite3_free(err);
    fail(path_, std::string("cannot run '") + sql + "'", detail.c_str());
  }

  int64_t changes() const { return sqlite3_changes(db_.get()); }
  int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_.get()); }

 private:
  // Creates the tables of a new file, or migrates an older one, under BEGIN
  // IMMEDIATE, so two processes opening it at once do not race; refuses a
  // file from a newer ferry (sqlite_state_schema.cpp).
  void ensure_schema();
  int64_t check_schema_version();

  std::string path_;
  DbPtr db_;
};

// Rolls back unless committed, so a throw anywhere inside leaves no partial write.
// Sets synchronous=NORMAL for one write and restores FULL afterwards (the
// pragma cannot change inside a transaction, so this wraps the transaction).
class RelaxedSync {
 public:
  explicit RelaxedSync(Connection& c) : c_(c) { c_.exec("PRAGMA synchronous = NORMAL"); }
  ~RelaxedSync() {
    try {
      c_.exec("PRAGMA synchronous = FULL");
    } catch (...) {
    }
  }
  RelaxedSync(const RelaxedSync&) = delete;
  RelaxedSync& operator=(const RelaxedSync&) = delete;

 private:
  Connection& c_;
};

class WriteTransaction {
 public:
  explicit WriteTransaction(Connection& c) : c_(c) { c_.exec("BEGIN IMMEDIATE"); }
  ~WriteTransaction() {
    if (!committed_) sqlite3_exec(c_.db(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  void commit() {
    c_.exec("COMMIT");
    committed_ = true;
  }

 private:
  Connection& c_;
  bool committed_ = false;
};

}  // namespace ferry::core::sqlite_state
