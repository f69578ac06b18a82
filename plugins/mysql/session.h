// One connection to MySQL / MariaDB through Connector/C++ 1.1, with Ferry's
// error classification and password redaction on every failure.
//
// Session settings, set on every (re)connect because they are per
// connection: utf8mb4, time_zone '+00:00' (DATETIME/TIMESTAMP text is UTC)
// and a strict sql_mode, so a bad value fails its row instead of being
// truncated or zeroed in silence.
//
// Thread safety: none; one owner (a source or sink instance) at a time.
#ifndef FERRY_PLUGINS_MYSQL_SESSION_H_
#define FERRY_PLUGINS_MYSQL_SESSION_H_

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "connection_options.h"

namespace ferry_mysql {

class Session {
 public:
  // Does not connect yet; `component` prefixes messages ("mysql sink").
  Session(ConnectionOptions options, std::string component);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Connects if not connected. Throws a classified ferry::Error.
  void ensure_connected();
  bool connected() const { return conn_ != nullptr; }
  // Forgets the connection (after a loss, or to start afresh), calling the
  // on_disconnect callback first so that statements prepared on it die
  // before it does.
  void disconnect();
  void on_disconnect(std::function<void()> callback) { on_disconnect_ = std::move(callback); }
  // Bumped on every new connection: owners of prepared statements compare
  // it to know when theirs died with the old one.
  uint64_t generation() const { return generation_; }

  void exec(const std::string& sql, std::string_view what);
  std::unique_ptr<sql::PreparedStatement> prepare(const std::string& sql, std::string_view what);

  // Throws `e` as a classified ferry::Error saying what failed where; on a
  // connection loss the connection is dropped first.
  [[noreturn]] void fail(const sql::SQLException& e, std::string_view what);
  // The message fail() would use, and whether `e` ended the connection.
  std::string message(const sql::SQLException& e, std::string_view what) const;
  // Call after catching a SQLException that fail() does not rethrow.
  void note(const sql::SQLException& e);

  const ConnectionOptions& options() const { return options_; }
  const std::string& component() const { return component_; }
  sql::Connection& raw() { return *conn_; }

 private:
  ConnectionOptions options_;
  std::string component_;
  std::unique_ptr<sql::Connection> conn_;
  std::function<void()> on_disconnect_;
  uint64_t generation_ = 0;
};

// Connector/C++ reports its own failures (a closed connection, a bad
// argument) with error code 0.
int error_code(const sql::SQLException& e);

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_SESSION_H_
