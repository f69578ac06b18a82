#include "mysql_connection.h"

#include "sql/mysql_errors.h"

#include <cppconn/connection.h>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/statement.h>

#include <ferry/plugin.hpp>
#include <ferry/redact.hpp>

namespace ferry_sql_hooks {
namespace {

// Spaces out the host's next attempt; the server's lock wait timeout already
// waited for the other writer.
constexpr uint64_t kRetryAfterMs = 200;
constexpr uint64_t kReconnectAfterMs = 1000;

// get_driver_instance() initialises the client library and fills a static
// map without a lock, and the mysql plugin may call it from another thread.
// Calling it once while this plugin is loaded (dlopen runs us under the
// loader's lock, and hosts load plugins before they run any) means later
// calls only read that map.
sql::Driver* driver() {
  static sql::Driver* const instance = get_driver_instance();
  return instance;
}
[[maybe_unused]] const bool kDriverReady = driver() != nullptr;

// Every statement of the hooks is text we wrote; the session makes bad
// values fail instead of being truncated, and refuses a table that would not
// be InnoDB (no transactions).
const char* const kSqlMode =
    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";

}  // namespace

std::string quote_mysql_ident(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

// --- MysqlConnection --------------------------------------------------------

MysqlConnection::MysqlConnection(const std::string& dsn, int lock_timeout_ms, std::string label)
    : label_(std::move(label)),
      dsn_(parse_mysql_dsn(dsn, label_)),
      lock_timeout_s_(lock_timeout_ms <= 0 ? 1 : (lock_timeout_ms + 999) / 1000) {
  connect();
}

MysqlConnection::~MysqlConnection() { disconnect(); }

void MysqlConnection::disconnect() noexcept {
  if (!conn_) return;
  try {
    conn_->close();
  } catch (...) {
    // Closing a dead connection fails; there is nothing left to release.
  }
  conn_.reset();
}

std::string MysqlConnection::message(const sql::SQLException& e, const std::string& doing) const {
  std::string msg = label_ + ": " + doing + " " + dsn_.describe() + ": ";
  if (e.getErrorCode() != 0) msg += "[" + std::to_string(e.getErrorCode()) + "] ";
  msg += e.what();
  // One line: multi-line server messages would break log lines apart.
  for (char& c : msg)
    if (c == '\n' || c == '\r') c = ' ';
  return ferry::redact(msg, dsn_.password);
}

void MysqlConnection::connect() {
  sql::ConnectOptionsMap opts;
  if (dsn_.socket.empty()) {
    opts["hostName"] = sql::SQLString(dsn_.host);
    opts["port"] = dsn_.port;
  } else {
    opts["socket"] = sql::SQLString(dsn_.socket);
    // Connector/C++ uses the socket only with host "localhost".
    opts["hostName"] = sql::SQLString("localhost");
  }
  opts["userName"] = sql::SQLString(dsn_.user);
  opts["password"] = sql::SQLString(dsn_.password);
  opts["schema"] = sql::SQLString(dsn_.database);
  opts["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  opts["OPT_CONNECT_TIMEOUT"] = dsn_.connect_timeout_s;
  // We reconnect ourselves: a silent reconnect would lose the transaction
  // without anyone noticing.
  opts["OPT_RECONNECT"] = false;
  // Affected rows must count rows changed, not rows found: that is how a
  // redelivered audit row (ON DUPLICATE KEY UPDATE with no change) is told
  // from a new one.
  opts["CLIENT_FOUND_ROWS"] = false;
  const std::string timeout = std::to_string(lock_timeout_s_);
  try {
    conn_.reset(driver()->connect(opts));
    std::unique_ptr<sql::Statement> st(conn_->createStatement());
    st->execute(kSqlMode);
    // Row locks (InnoDB) and table locks (LOCK TABLES, DDL) wait separately.
    st->execute("SET SESSION innodb_lock_wait_timeout = " + timeout);
    st->execute("SET SESSION lock_wait_timeout = " + timeout);
  } catch (const sql::SQLException& e) {
    disconnect();
    // No server code: the connector's own failure (a bad socket path, say),
    // worth retrying like a refused connection.
    const FerryStatus st = e.getErrorCode() == 0 ? FERRY_RETRY : ferry::support::status_of_mysql_error(e.getErrorCode());
    throw ferry::Error(st, message(e, "cannot connect to"),
                       st == FERRY_RETRY ? kReconnectAfterMs : 0);
  }
}

void MysqlConnection::fail(const sql::SQLException& e, std::string_view what) {
  const int code = e.getErrorCode();
  FerryStatus st = ferry::support::status_of_mysql_error(code);
  // Code 0: the connector itself refused, mostly because the connection is
  // closed. Either way the next call starts on a new connection.
  if (code == 0 || ferry::support::is_mysql_connection_loss(code)) {
    disconnect();
    st = FERRY_RETRY;
  }
  throw ferry::Error(st, message(e, std::string(what) + " in"),
                     st == FERRY_RETRY ? kRetryAfterMs : 0);
}

sql::Connection& MysqlConnection::live(std::string_view what) {
  // Never reconnect here: a COMMIT on a new connection would "succeed" with
  // nothing to commit. Only begin() starts over.
  if (!conn_)
    throw ferry::Error(FERRY_RETRY,
                       label_ + ": " + std::string(what) + " in " + dsn_.describe() +
                           ": the connection was lost",
                       kRetryAfterMs);
  return *conn_;
}

void MysqlConnection::exec(const std::string& sql, std::string_view what) {
  sql::Connection& conn = live(what);
  try {
    std::unique_ptr<sql::Statement> st(conn.createStatement());
    st->execute(sql);
  } catch (const sql::SQLException& e) {
    fail(e, what);
  }
}

int64_t MysqlConnection::exec(const std::string& sql, const MysqlParams& params,
                              std::string_view what) {
  sql::Connection& conn = live(what);
  try {
    std::unique_ptr<sql::PreparedStatement> st(conn.prepareStatement(sql));
    unsigned index = 1;
    for (const MysqlParams::Value& v : params.values_) {
      switch (v.kind) {
        case MysqlParams::Kind::kString:
          st->setString(index, sql::SQLString(v.text.data(), v.text.size()));
          break;
        case MysqlParams::Kind::kInt64:
          st->setInt64(index, v.number);
          break;
        case MysqlParams::Kind::kNull:
          st->setNull(index, sql::DataType::SQLNULL);
          break;
      }
      ++index;
    }
    return st->executeUpdate();
  } catch (const sql::SQLException& e) {
    fail(e, what);
  }
}

void MysqlConnection::begin() {
  constexpr const char* kWhat = "starting a transaction";
  if (conn_) {
    try {
      std::unique_ptr<sql::Statement> st(conn_->createStatement());
      st->execute("START TRANSACTION");
      return;
    } catch (const sql::SQLException& e) {
      if (e.getErrorCode() != 0 && !ferry::support::is_mysql_connection_loss(e.getErrorCode())) fail(e, kWhat);
      // Nothing was done on this connection yet, so starting over on a new
      // one loses nothing, and spares the host a retry of the whole event.
      disconnect();
    }
  }
  connect();
  exec("START TRANSACTION", kWhat);
}

void MysqlConnection::rollback() noexcept {
  if (!conn_) return;  // a lost connection rolled back on the server
  try {
    std::unique_ptr<sql::Statement> st(conn_->createStatement());
    st->execute("ROLLBACK");
  } catch (...) {
    // The error that got us here is the one worth reporting; the next
    // begin() finds out whether this connection still works.
  }
}

// --- MysqlTransaction -------------------------------------------------------

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
