#include "mysql/mysql_session.h"

#include <cppconn/connection.h>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/statement.h>

#include <ferry/plugin.hpp>
#include <ferry/redact.hpp>
#include <mutex>

#include "sql/mysql_errors.h"

#include "sql/sql_identifier.h"

namespace ferry::support::mysql {
namespace {

// get_driver_instance() initialises the client library and fills a static
// map without a lock; sessions may be opened from several threads.
sql::Driver* driver() {
  static std::once_flag once;
  static sql::Driver* d = nullptr;
  std::call_once(once, [] { d = get_driver_instance(); });
  return d;
}

}  // namespace

std::string Endpoint::describe() const {
  std::string where = user.empty() ? std::string() : user + "@";
  where += socket.empty() ? host + ":" + std::to_string(port) : socket;
  return where + "/" + database;
}

std::string Endpoint::redact(std::string_view text) const { return ferry::redact(text, password); }

std::string quote_ident(std::string_view name) {
  return quote_identifier(name, '`');
}

int error_code(const sql::SQLException& e) { return e.getErrorCode(); }

Session::Session(SessionOptions options) : options_(std::move(options)) {}

Session::~Session() { disconnect(); }

void Session::disconnect() noexcept {
  if (!conn_) return;
  if (on_disconnect_) on_disconnect_();
  try {
    conn_->close();
  } catch (...) {
    // Closing a dead connection fails; there is nothing left to release.
  }
  conn_.reset();
}

void Session::ensure_connected() {
  if (conn_) return;
  const Endpoint& at = options_.endpoint;
  sql::ConnectOptionsMap opts;
  if (at.socket.empty()) {
    opts["hostName"] = sql::SQLString(at.host);
    opts["port"] = at.port;
  } else {
    opts["socket"] = sql::SQLString(at.socket);
    // Connector/C++ uses the socket only with host "localhost".
    opts["hostName"] = sql::SQLString("localhost");
  }
  opts["userName"] = sql::SQLString(at.user);
  opts["password"] = sql::SQLString(at.password);
  opts["schema"] = sql::SQLString(at.database);
  opts["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  opts["OPT_CONNECT_TIMEOUT"] = at.connect_timeout_s;
  // Reconnects are the owner's: a silent one would lose the transaction
  // without anyone noticing.
  opts["OPT_RECONNECT"] = false;
  if (options_.found_rows) opts["CLIENT_FOUND_ROWS"] = *options_.found_rows;
  // 2 is the client library's "auto" mode (LOCAL_INFILE_MODE_AUTO); 0 off.
  opts["OPT_LOCAL_INFILE"] = options_.local_infile ? 2 : 0;
  try {
    conn_.reset(driver()->connect(opts));
    for (const std::string& sql : options_.setup) {
      std::unique_ptr<sql::Statement> st(conn_->createStatement());
      st->execute(sql);
    }
  } catch (const sql::SQLException& e) {
    disconnect();
    const int code = error_code(e);
    // No server code: the connector's own failure (a bad socket path, say),
    // worth retrying like a refused connection.
    const FerryStatus st = code == 0 ? FERRY_RETRY : status_of_mysql_error(code);
    throw ferry::Error(st, message(e, "connecting"), st == FERRY_RETRY ? options_.reconnect_after_ms : 0);
  }
  ++generation_;
}

std::string Session::message(const sql::SQLException& e, std::string_view what) const {
  std::string msg = options_.label + ": " + std::string(what) + " (" + options_.endpoint.describe() + "): ";
  const int code = error_code(e);
  if (code != 0) msg += "[" + std::to_string(code) + "] ";
  msg += e.what();
  // One line: multi-line server messages would break log lines apart.
  for (char& c : msg)
    if (c == '\n' || c == '\r') c = ' ';
  return options_.endpoint.redact(msg);
}

void Session::note(const sql::SQLException& e) {
  if (is_mysql_connection_loss(error_code(e))) disconnect();
}

void Session::fail(const sql::SQLException& e, std::string_view what) {
  const int code = error_code(e);
  const std::string msg = message(e, what);
  note(e);
  FerryStatus st = status_of_mysql_error(code);
  // Code 0: the connector itself refused, mostly because the connection is
  // closed. Either way the next call starts on a new connection.
  if (code == 0) {
    disconnect();
    st = FERRY_RETRY;
  }
  throw ferry::Error(st, msg, st == FERRY_RETRY ? options_.retry_after_ms : 0);
}

sql::Connection& Session::live(std::string_view what) {
  if (!conn_)
    throw ferry::Error(FERRY_RETRY,
                       options_.label + ": " + std::string(what) + " (" + options_.endpoint.describe() +
                           "): the connection was lost",
                       options_.retry_after_ms);
  return *conn_;
}

sql::Connection& Session::raw() { return live("using the connection"); }

void Session::exec(const std::string& sql, std::string_view what) {
  sql::Connection& conn = live(what);
  try {
    std::unique_ptr<sql::Statement> st(conn.createStatement());
    st->execute(sql);
  } catch (const sql::SQLException& e) {
    fail(e, what);
  }
}

int64_t Session::exec(const std::string& sql, const Params& params, std::string_view what) {
  sql::Connection& conn = live(what);
  try {
    std::unique_ptr<sql::PreparedStatement> st(conn.prepareStatement(sql));
    unsigned index = 1;
    for (const Params::Value& v : params.values_) {
      switch (v.kind) {
        case Params::Kind::kString:
          st->setString(index, sql::SQLString(v.text.data(), v.text.size()));
          break;
        case Params::Kind::kInt64:
          st->setInt64(index, v.number);
          break;
        case Params::Kind::kNull:
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

std::unique_ptr<sql::PreparedStatement> Session::prepare(const std::string& sql, std::string_view what) {
  sql::Connection& conn = live(what);
  try {
    return std::unique_ptr<sql::PreparedStatement>(conn.prepareStatement(sql));
  } catch (const sql::SQLException& e) {
    fail(e, what);
  }
}

}  // namespace ferry::support::mysql
