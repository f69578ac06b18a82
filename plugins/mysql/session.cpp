#include "session.h"

#include <cppconn/driver.h>
#include <cppconn/statement.h>

#include <ferry/plugin.hpp>
#include <mutex>

#include "sql/mysql_errors.h"

namespace ferry_mysql {
namespace {

// get_driver_instance() initialises the client library and fills a static
// map without a lock; instances may be opened from several threads.
sql::Driver* driver() {
  static std::once_flag once;
  static sql::Driver* d = nullptr;
  std::call_once(once, [] { d = get_driver_instance(); });
  return d;
}

constexpr const char* kSessionSetup[] = {
    "SET time_zone = '+00:00'",
    // NO_AUTO_VALUE_ON_ZERO: a copied 0 in an AUTO_INCREMENT column stays 0.
    "SET sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,"
    "NO_AUTO_VALUE_ON_ZERO'",
};

}  // namespace

int error_code(const sql::SQLException& e) { return e.getErrorCode(); }

Session::Session(ConnectionOptions options, std::string component)
    : options_(std::move(options)), component_(std::move(component)) {}

Session::~Session() { disconnect(); }

void Session::disconnect() {
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
  sql::ConnectOptionsMap opts;
  if (options_.socket.empty()) {
    opts["hostName"] = sql::SQLString(options_.host);
    opts["port"] = options_.port;
  } else {
    opts["socket"] = sql::SQLString(options_.socket);
    // Connector/C++ uses the socket only with host "localhost".
    opts["hostName"] = sql::SQLString("localhost");
  }
  opts["userName"] = sql::SQLString(options_.user);
  opts["password"] = sql::SQLString(options_.password);
  opts["schema"] = sql::SQLString(options_.database);
  opts["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  opts["OPT_CONNECT_TIMEOUT"] = 10;
  // We reconnect ourselves: a silent reconnect would lose the transaction
  // without anyone noticing.
  opts["OPT_RECONNECT"] = false;
  try {
    conn_.reset(driver()->connect(opts));
    for (const char* sql : kSessionSetup) {
      std::unique_ptr<sql::Statement> st(conn_->createStatement());
      st->execute(sql);
    }
  } catch (const sql::SQLException& e) {
    disconnect();
    const int code = error_code(e);
    // A failed connect with no server code is the connector's own (a bad
    // socket path, say): worth retrying like a refused connection.
    const FerryStatus st = code == 0 ? FERRY_RETRY : ferry::support::status_of_mysql_error(code);
    throw ferry::Error(st, message(e, "connecting"), st == FERRY_RETRY ? 1000 : 0);
  }
  ++generation_;
}

std::string Session::message(const sql::SQLException& e, std::string_view what) const {
  std::string msg = component_ + ": " + std::string(what) + " (" + options_.describe() + "): ";
  const int code = error_code(e);
  if (code != 0) msg += "[" + std::to_string(code) + "] ";
  msg += e.what();
  // One line: multi-line server messages would break log lines apart.
  for (char& c : msg)
    if (c == '\n' || c == '\r') c = ' ';
  return options_.redact(std::move(msg));
}

void Session::note(const sql::SQLException& e) {
  if (ferry::support::is_mysql_connection_loss(error_code(e))) disconnect();
}

void Session::fail(const sql::SQLException& e, std::string_view what) {
  const int code = error_code(e);
  std::string msg = message(e, what);
  note(e);
  FerryStatus st = ferry::support::status_of_mysql_error(code);
  // Code 0: the connector itself refused (mostly: the connection is closed).
  if (code == 0) {
    disconnect();
    st = FERRY_RETRY;
  }
  throw ferry::Error(st, msg, st == FERRY_RETRY ? 500 : 0);
}

void Session::exec(const std::string& sql, std::string_view what) {
  ensure_connected();
  try {
    std::unique_ptr<sql::Statement> st(conn_->createStatement());
    st->execute(sql);
  } catch (const sql::SQLException& e) {
    fail(e, what);
  }
}

std::unique_ptr<sql::PreparedStatement> Session::prepare(const std::string& sql,
                                                         std::string_view what) {
  ensure_connected();
  try {
    return std::unique_ptr<sql::PreparedStatement>(conn_->prepareStatement(sql));
  } catch (const sql::SQLException& e) {
    fail(e, what);
  }
}

}  // namespace ferry_mysql
