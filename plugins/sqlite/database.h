// A SQLite connection with RAII handles and Ferry's error classification.
#ifndef FERRY_PLUGINS_SQLITE_DATABASE_H_
#define FERRY_PLUGINS_SQLITE_DATABASE_H_

#include <ferry/plugin.h>
#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

namespace ferry_sqlite {

struct StatementFinalizer {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// Resets a statement when leaving a scope, so no statement stays active
// (an active statement blocks DDL and ROLLBACK) whatever path we leave by.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* s) : s_(s) {}
  ~ResetOnExit() { sqlite3_reset(s_); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* s_;
};

// "name" with embedded quotes doubled: safe for any identifier.
std::string quote_ident(std::string_view name);

// The Ferry status class of a SQLite (extended) result code:
// constraint-like -> INVALID_DATA, BUSY/LOCKED -> RETRY, SQLITE_ERROR (no
// such table/column, bad conflict target) -> CONFIG, the rest fatal.
FerryStatus classify(int rc);

class Database {
 public:
  // Opens (creating if needed) `path` in WAL mode. Throws ferry::Error;
  // RETRY while another connection holds the lock the WAL switch needs.
  Database(std::string path, int busy_timeout_ms);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* raw() const { return db_; }
  const std::string& path() const { return path_; }
  // "wal" unless the file system cannot do WAL.
  const std::string& journal_mode() const { return journal_mode_; }

  // Runs SQL that returns no rows we need. Throws a classified ferry::Error
  // whose message says `what` failed in which file.
  void exec(const std::string& sql, std::string_view what);
  Statement prepare(const std::string& sql, std::string_view what);
  // Runs a prepared statement to completion (rows ignored) and resets it.
  void run(sqlite3_stmt* stmt, std::string_view what);

  // Throws the classified error for `rc` with SQLite's current message.
  [[noreturn]] void fail(int rc, std::string_view what) const;
  [[noreturn]] void fail(FerryStatus status, int rc, std::string_view what) const;
  std::string message(int rc, std::string_view what) const;

  // False once SQLite has rolled back (or we never began) a transaction.
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

 private:
  std::string path_;
  std::string journal_mode_;
  sqlite3* db_ = nullptr;
};

}  // namespace ferry_sqlite

#endif  // FERRY_PLUGINS_SQLITE_DATABASE_H_
