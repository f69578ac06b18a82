#include "mysql_connection.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/statement.h>

#include <memory>

#include "sql/mysql_errors.h"

namespace ferry_sql_hooks {
namespace {

namespace mysql = ferry::support::mysql;

mysql::SessionOptions hook_session(const std::string& dsn, int lock_timeout_ms, const std::string& label) {
  mysql::SessionOptions o;
  o.label = label;
  o.endpoint = parse_mysql_dsn(dsn, label);
  const std::string timeout = std::to_string(lock_timeout_ms <= 0 ? 1 : (lock_timeout_ms + 999) / 1000);
  o.setup = {
      // Every statement of the hooks is text they wrote; bad values fail
      // instead of being truncated, and a table that would not be InnoDB
      // (no transactions) is refused.
      "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
      // Row locks (InnoDB) and table locks (LOCK TABLES, DDL) wait separately.
      "SET SESSION innodb_lock_wait_timeout = " + timeout,
      "SET SESSION lock_wait_timeout = " + timeout,
  };
  // Affected rows must count rows changed, not rows found: that is how a
  // redelivered audit row (ON DUPLICATE KEY UPDATE with no change) is told
  // from a new one.
  o.found_rows = false;
  // The server's lock wait already waited for the other writer; this only
  // spaces out the host's next attempt.
  o.retry_after_ms = 200;
  return o;
}

}  // namespace

MysqlConnection::MysqlConnection(const std::string& dsn, int lock_timeout_ms, const std::string& label)
    : session_(hook_session(dsn, lock_timeout_ms, label)) {
  session_.ensure_connected();
}

void MysqlConnection::begin() {
  constexpr const char* kWhat = "starting a transaction";
  if (session_.connected()) {
    try {
      std::unique_ptr<sql::Statement> st(session_.raw().createStatement());
      st->execute("START TRANSACTION");
      return;
    } catch (const sql::SQLException& e) {
      const int code = mysql::error_code(e);
      if (code != 0 && !ferry::support::is_mysql_connection_loss(code)) session_.fail(e, kWhat);
      // Nothing was done on this connection yet, so starting over on a new
      // one loses nothing, and spares the host a retry of the whole event.
      session_.disconnect();
    }
  }
  session_.ensure_connected();
  session_.exec("START TRANSACTION", kWhat);
}

void MysqlConnection::rollback() noexcept {
  if (!session_.connected()) return;  // a lost connection rolled back on the server
  try {
    session_.exec("ROLLBACK", "rolling back");
  } catch (...) {
    // The error that got here is the one worth reporting; the next begin()
    // finds out whether this connection still works.
  }
}

MysqlTransaction::MysqlTransaction(MysqlConnection& db) : db_(db) {
  db_.begin();
  open_ = true;
}

MysqlTransaction::~MysqlTransaction() {
  if (open_) db_.rollback();
}

void MysqlTransaction::commit() {
  open_ = false;  // whatever COMMIT answers, the transaction is over
  db_.exec("COMMIT", "committing");
}

}  // namespace ferry_sql_hooks
