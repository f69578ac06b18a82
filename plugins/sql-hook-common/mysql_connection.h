// A small MySQL / MariaDB connection wrapper on Connector/C++ 1.1: parameter
// binding, transactions and Ferry's error classification (connection loss,
// lock wait timeouts and deadlocks -> RETRY). Messages never carry the
// password. Shared by the audit-sql and failure-stats plugins, which compile
// it in when the build has the connector (FERRY_SQL_HOOKS_MYSQL).
//
// The connector's headers stay out of this one, so the stores do not need
// them.
#ifndef FERRY_PLUGINS_SQL_HOOK_COMMON_MYSQL_CONNECTION_H_
#define FERRY_PLUGINS_SQL_HOOK_COMMON_MYSQL_CONNECTION_H_

#include <ferry/plugin.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mysql_dsn.h"

namespace sql {
class Connection;
class SQLException;
}  // namespace sql

namespace ferry_sql_hooks {

// `name` with embedded backticks doubled: safe for any identifier.
std::string quote_mysql_ident(std::string_view name);

// Query parameters, bound to `?` in order. Text and bytes both go as strings
// with their length (NUL bytes kept): a BLOB column stores the bytes as they
// are, a TEXT column refuses invalid UTF-8 (strict mode). None is ever sent
// as NULL unless added with null().
class MysqlParams {
 public:
  void text(std::string_view v) { values_.push_back({Kind::kString, std::string(v), 0}); }
  void bytes(std::string_view v) { text(v); }
  void int64(int64_t v) { values_.push_back({Kind::kInt64, {}, v}); }
  void null() { values_.push_back({Kind::kNull, {}, 0}); }
  void clear() { values_.clear(); }

 private:
  friend class MysqlConnection;
  enum class Kind { kString, kInt64, kNull };
  struct Value {
    Kind kind;
    std::string text;
    int64_t number;
  };
  std::vector<Value> values_;
};

class MysqlConnection {
 public:
  // Parses `dsn` (see mysql_dsn.h), connects, and makes lock waits give up
  // after `lock_timeout_ms` (rounded up to whole seconds, at least 1: the
  // server counts seconds). `label` starts every error message. Throws
  // ferry::Error: CONFIG for a bad dsn or unknown database, AUTH when the
  // server refuses the credentials, RETRY when it cannot be reached.
  MysqlConnection(const std::string& dsn, int lock_timeout_ms, std::string label);
  ~MysqlConnection();
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  // Runs one statement without parameters. Neither exec() reconnects: a
  // lost connection answers RETRY until the next begin().
  void exec(const std::string& sql, std::string_view what);
  // Runs one statement with parameters and returns the affected-row count:
  // rows inserted or changed (an ON DUPLICATE KEY UPDATE that changes
  // nothing counts 0).
  int64_t exec(const std::string& sql, const MysqlParams& params, std::string_view what);
  // START TRANSACTION; on a new connection when the old one was lost, or
  // died while idle (server restart, wait_timeout).
  void begin();
  // ROLLBACK if connected; never throws.
  void rollback() noexcept;

 private:
  void connect();
  void disconnect() noexcept;
  sql::Connection& live(std::string_view what);
  [[noreturn]] void fail(const sql::SQLException& e, std::string_view what);
  std::string message(const sql::SQLException& e, const std::string& doing) const;

  std::string label_;
  MysqlDsn dsn_;
  int lock_timeout_s_;
  std::unique_ptr<sql::Connection> conn_;
};

// START TRANSACTION on construction, ROLLBACK on destruction unless
// commit() was called.
class MysqlTransaction {
 public:
  explicit MysqlTransaction(MysqlConnection& db);
  ~MysqlTransaction();
  MysqlTransaction(const MysqlTransaction&) = delete;
  MysqlTransaction& operator=(const MysqlTransaction&) = delete;
  void commit();

 private:
  MysqlConnection& db_;
  bool open_ = false;
};

}  // namespace ferry_sql_hooks

#endif  // FERRY_PLUGINS_SQL_HOOK_COMMON_MYSQL_CONNECTION_H_
