// One SQLite connection the way every part of Ferry uses one: the state
// store, the sqlite sink and the SQL hooks. Opened through open_sqlite
// (the WAL switch retried), every failure classified by one table and
// thrown as Failure, a ferry::Error whose message names what failed and in
// which file.
//
// Thread safety: none; one thread uses a Database (and its statements) at
// a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <ferry/plugin.hpp>

#include "sqlite/sqlite_open.h"

namespace ferry::support::sqlite {

// The Ferry status of a SQLite (extended) result code: constraint-like ->
// INVALID_DATA, BUSY/LOCKED -> RETRY, SQLITE_ERROR (no such table or
// column, a bad conflict target) -> CONFIG, the rest fatal.
FerryStatus status_of(int rc);

class Failure : public ferry::Error {
 public:
  Failure(FerryStatus status, const std::string& message, int rc, uint64_t retry_after_ms)
      : ferry::Error(status, message, retry_after_ms), rc_(rc) {}
  int rc() const { return rc_; }

 private:
  int rc_;
};

// Resets a statement when leaving a scope, so no statement stays active
// (an active statement blocks DDL, COMMIT and ROLLBACK) whatever path is taken.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* s) : s_(s) {}
  ~ResetOnExit() { sqlite3_reset(s_); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* s_;
};

class Database;

// One prepared statement. Parameters are 1-based (as in SQLite), result
// columns 0-based. Text and blobs are copied when bound; an empty one
// binds as '' or x'', never as NULL (which UNIQUE indexes take as distinct).
class Statement {
 public:
  Statement() = default;
  // `in_use`: the statement is borrowed from the database's cache, and this
  // flag is cleared (and the statement reset) when the Statement ends.
  Statement(const Database* db, sqlite3_stmt* stmt, std::string what, bool* in_use = nullptr)
      : db_(db), stmt_(stmt, Finalizer{in_use}), what_(std::move(what)) {}

  Statement& text(int i, std::string_view v);
  Statement& blob(int i, std::string_view v);
  Statement& integer(int i, int64_t v);
  Statement& null(int i);

  // True while a row is available.
  bool step();
  // Steps to the end; the rows the statement changed.
  int64_t run();
  // Ready to run again, with no parameters bound.
  void reset();

  std::string text_at(int col) const;
  // Valid until the statement steps, resets or reads the column otherwise.
  std::string_view text_view_at(int col) const;
  std::string blob_at(int col) const;
  int64_t integer_at(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
  bool null_at(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }

  sqlite3_stmt* get() const { return stmt_.get(); }
  explicit operator bool() const { return stmt_ != nullptr; }

 private:
  struct Finalizer {
    bool* in_use;  // value-initialized (null) with the unique_ptr
    void operator()(sqlite3_stmt* s) const noexcept {
      if (!in_use) {
        sqlite3_finalize(s);
        return;
      }
      sqlite3_reset(s);
      sqlite3_clear_bindings(s);
      *in_use = false;
    }
  };
  void check_bind(int rc);

  const Database* db_ = nullptr;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  std::string what_;  // what it is for, in a message
};

struct DatabaseOptions {
  std::string label;  // starts every message: "state store", "sqlite sink"
  SqliteOpenOptions open;
  // How long the host should let another writer finish after BUSY: the
  // busy timeout has already waited.
  uint64_t busy_retry_after_ms = 200;
  // Throws a failure as the caller's own error type (the host's state store
  // throws core::Error); when unset, or when it returns, Failure is thrown.
  std::function<void(const Failure&)> raise;
};

class Database {
 public:
  // Opens (creating if needed) `path`. Throws Failure: a file that cannot
  // be opened is an I/O error, never a configuration one; RETRY while
  // another connection holds the lock the WAL switch needs.
  Database(std::string path, DatabaseOptions options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs SQL that returns no rows the caller needs (may hold several
  // statements). `what` says what failed in a message.
  void exec(const std::string& sql, std::string_view what);
  // `persistent`: kept for many runs (SQLITE_PREPARE_PERSISTENT).
  Statement prepare(const std::string& sql, std::string_view what, bool persistent = false);
  // The same, from a cache of statements by SQL text, so a statement run
  // for every batch is compiled once. The Statement borrows it: when it
  // ends, the statement is reset (ending its read of the database) and goes
  // back to the cache. A statement already borrowed is prepared afresh.
  Statement prepare_cached(const std::string& sql, std::string_view what);
  // Steps a statement to the end (rows ignored), resets it, clears its
  // parameters and returns the rows it changed.
  int64_t run(sqlite3_stmt* stmt, std::string_view what);

  // Throws the classified Failure for `rc` with SQLite's message.
  [[noreturn]] void fail(int rc, std::string_view what) const;
  [[noreturn]] void fail(FerryStatus status, int rc, std::string_view what) const;
  std::string message(int rc, std::string_view what) const;

  sqlite3* raw() const { return db_; }
  const std::string& path() const { return path_; }
  const std::string& label() const { return options_.label; }
  // "wal" unless the file system cannot do WAL (or WAL was not asked for).
  const std::string& journal_mode() const { return journal_mode_; }
  // False once SQLite has rolled back (or nobody began) a transaction.
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  int64_t changes() const { return sqlite3_changes(db_); }
  int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

 private:
  [[noreturn]] void raise(const Failure& f) const;

  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    std::unique_ptr<bool> in_use = std::make_unique<bool>(false);
  };

  std::string path_;
  DatabaseOptions options_;
  std::string journal_mode_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Cached> cache_;
};

// BEGIN IMMEDIATE on construction, ROLLBACK on destruction unless commit()
// succeeded. IMMEDIATE takes the write lock up front, so a busy database
// surfaces as RETRY before anything was written.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool open_ = false;
};

}  // namespace ferry::support::sqlite
