// The SQL hooks' MySQL / MariaDB connection: support/mysql's session,
// connected at once, with lock waits that give up after the hook's
// busy_timeout_ms and a transaction that starts over on a new connection
// only at begin(). Shared by the audit-sql and failure-stats plugins, which
// compile it in when the build has the connector (FERRY_SQL_HOOKS_MYSQL).
#ifndef FERRY_PLUGINS_SQL_HOOK_COMMON_MYSQL_CONNECTION_H_
#define FERRY_PLUGINS_SQL_HOOK_COMMON_MYSQL_CONNECTION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "mysql/mysql_session.h"
#include "mysql_dsn.h"

namespace ferry_sql_hooks {

using MysqlParams = ferry::support::mysql::Params;

inline std::string quote_mysql_ident(std::string_view name) { return ferry::support::mysql::quote_ident(name); }

class MysqlConnection {
 public:
  // Parses `dsn` (see mysql_dsn.h), connects, and makes lock waits give up
  // after `lock_timeout_ms` (rounded up to whole seconds, at least 1: the
  // server counts seconds). `label` starts every error message. Throws
  // ferry::Error: CONFIG for a bad dsn or unknown database, AUTH when the
  // server refuses the credentials, RETRY when it cannot be reached.
  MysqlConnection(const std::string& dsn, int lock_timeout_ms, const std::string& label);

  // Neither exec() reconnects: a lost connection answers RETRY until the
  // next begin().
  void exec(const std::string& sql, std::string_view what) { session_.exec(sql, what); }
  // The affected-row count: rows inserted or changed (an ON DUPLICATE KEY
  // UPDATE that changes nothing counts 0).
  int64_t exec(const std::string& sql, const MysqlParams& params, std::string_view what) {
    return session_.exec(sql, params, what);
  }
  // START TRANSACTION; on a new connection when the old one was lost, or
  // died while idle (server restart, wait_timeout).
  void begin();
  // ROLLBACK if connected; never throws.
  void rollback() noexcept;

 private:
  ferry::support::mysql::Session session_;
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
