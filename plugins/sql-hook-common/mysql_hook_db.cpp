// The SQL hooks' MySQL / MariaDB database: support/mysql's session,
// connected at once, with lock waits that give up after the hook's
// busy_timeout_ms and a transaction that starts over on a new connection
// only at begin(). Compiled in when the build has the connector
// (FERRY_SQL_HOOKS_MYSQL).
#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include <memory>

#include "hook_db.h"
#include "mysql/mysql_session.h"
#include "mysql_dsn.h"
#include "sql/mysql_errors.h"

namespace ferry_sql_hooks {
namespace {

namespace mysql = ferry::support::mysql;

mysql::SessionOptions hook_session(const std::string& dsn, int lock_timeout_ms, const std::string& label) {
  mysql::SessionOptions o;
  o.label = label;
  o.endpoint = parse_mysql_dsn(dsn, label);
  // The server counts lock waits in whole seconds, at least 1.
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

class MysqlHookTransaction final : public HookTransaction {
 public:
  explicit MysqlHookTransaction(mysql::Session& s) : s_(s) {}
  ~MysqlHookTransaction() override {
    // A lost connection rolled back on the server.
    if (!open_ || !s_.connected()) return;
    try {
      s_.exec("ROLLBACK", "rolling back");
    } catch (...) {
      // The error that got here is the one worth reporting; the next
      // begin() finds out whether this connection still works.
    }
  }
  void commit() override {
    open_ = false;  // whatever COMMIT answers, the transaction is over
    s_.exec("COMMIT", "committing");
  }

 private:
  mysql::Session& s_;
  bool open_ = true;
};

class MysqlHookDb final : public HookDb {
 public:
  MysqlHookDb(const HookOptions& opts, const std::string& label)
      : session_(hook_session(opts.dsn, opts.busy_timeout_ms, label)) {
    session_.ensure_connected();
  }

  Dialect dialect() const override { return Dialect::kMysql; }

  // One CREATE TABLE per table, indexes inline: concurrent first opens
  // cannot race half-way, and the lock is not needed. Asked first because
  // MySQL checks the CREATE privilege even for a table that exists.
  void create_schema(const std::vector<SchemaObject>& objects, std::string_view) override {
    constexpr const char* kWhat = "creating the tables";
    for (const SchemaObject& o : objects)
      if (!table_exists(o.name, kWhat)) session_.exec(o.create_sql, kWhat);
  }

  // A server-side prepare checks the statement against the tables.
  void check(const Sql& sql, std::string_view what) override { session_.prepare(sql.text, what); }

  bool table_exists(const std::string& name, std::string_view what) {
    try {
      std::unique_ptr<sql::PreparedStatement> st(session_.prepare(
          "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", what));
      st->setString(1, sql::SQLString(name.data(), name.size()));
      std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
      return rs->next();
    } catch (const sql::SQLException& e) {
      session_.fail(e, what);
    }
  }

  // Does not reconnect: a lost connection answers RETRY until the next begin().
  int64_t exec(const Sql& sql, const Params& params, std::string_view what) override {
    mysql::Params p;
    auto bind = [&p](const Params::Value& v) {
      switch (v.kind) {
        case Params::Kind::kText:
        case Params::Kind::kBytes: p.text(v.text); break;
        case Params::Kind::kInt64: p.int64(v.integer); break;
        case Params::Kind::kNull: p.null(); break;
      }
    };
    for (const Params::Value& v : params.values()) bind(v);
    for (size_t i : sql.bound_again) bind(params.values().at(i));
    return session_.exec(sql.text, p, what);
  }

  // START TRANSACTION; on a new connection when the old one was lost, or
  // died while idle (server restart, wait_timeout).
  std::unique_ptr<HookTransaction> begin() override {
    constexpr const char* kWhat = "starting a transaction";
    if (session_.connected()) {
      try {
        std::unique_ptr<sql::Statement> st(session_.raw().createStatement());
        st->execute("START TRANSACTION");
        return std::make_unique<MysqlHookTransaction>(session_);
      } catch (const sql::SQLException& e) {
        const int code = mysql::error_code(e);
        if (code != 0 && !ferry::support::is_mysql_connection_loss(code)) session_.fail(e, kWhat);
        // Nothing was done on this connection yet, so starting over on a
        // new one loses nothing, and spares the host a retry of the event.
        session_.disconnect();
      }
    }
    session_.ensure_connected();
    session_.exec("START TRANSACTION", kWhat);
    return std::make_unique<MysqlHookTransaction>(session_);
  }

 private:
  mysql::Session session_;
};

}  // namespace

std::unique_ptr<HookDb> open_mysql_hook_db(const HookOptions& opts, const std::string& label) {
  return std::make_unique<MysqlHookDb>(opts, label);
}

}  // namespace ferry_sql_hooks
