// A small SQLite connection wrapper: RAII handles, binding helpers, and
// Ferry's error classification (BUSY/LOCKED -> RETRY). Shared by the
// audit-sql and failure-stats plugins, which compile it in.
#ifndef FERRY_PLUGINS_SQL_HOOK_COMMON_DATABASE_H_
#define FERRY_PLUGINS_SQL_HOOK_COMMON_DATABASE_H_

#include <ferry/plugin.h>
#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

namespace ferry_sql_hooks {

struct StatementFinalizer {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// "name" with embedded quotes doubled: safe for any identifier.
std::string quote_ident(std::string_view name);

// Ferry status class of a SQLite (extended) result code.
FerryStatus classify(int rc);

// Pointer+length binders. Empty values bind as '' / x'' and never as NULL:
// sqlite3_bind_*(nullptr) means NULL, which UNIQUE indexes treat as distinct.
void bind_text(sqlite3_stmt* s, int i, std::string_view v);
void bind_blob(sqlite3_stmt* s, int i, std::string_view v);

class Database {
 public:
  // Opens (creating if needed) `path`. `label` starts every error message.
  // Throws ferry::Error.
  Database(std::string path, int busy_timeout_ms, std::string label);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const std::string& sql, std::string_view what);
  Statement prepare(const std::string& sql, std::string_view what);
  // Runs a prepared statement to completion, resets it and returns the
  // number of rows it changed.
  int run(sqlite3_stmt* stmt, std::string_view what);

  [[noreturn]] void fail(int rc, std::string_view what) const;

 private:
  std::string path_;
  std::string label_;
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction, ROLLBACK on destruction unless
// commit() succeeded. IMMEDIATE takes the write lock up front, so a busy
// database surfaces as RETRY before anything was written.
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

}  // namespace ferry_sql_hooks

#endif  // FERRY_PLUGINS_SQL_HOOK_COMMON_DATABASE_H_
