// The mysql plugin's connection: support/mysql's session, with the session
// settings the source and the sink read and write by, connecting on first
// use (the sink learns of a lost transaction through on_disconnect, so a
// statement after a loss may start afresh).
//
// Session settings, set on every (re)connect because they are per
// connection: time_zone '+00:00' (DATETIME/TIMESTAMP text is UTC) and a
// strict sql_mode, so a bad value fails its row instead of being truncated
// or zeroed in silence.
//
// Thread safety: none; one owner (a source or sink instance) at a time.
#ifndef FERRY_PLUGINS_MYSQL_SESSION_H_
#define FERRY_PLUGINS_MYSQL_SESSION_H_

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>

#include <memory>
#include <string>
#include <string_view>

#include "connection_options.h"
#include "mysql/mysql_session.h"

namespace ferry_mysql {

using ferry::support::mysql::error_code;

class Session : public ferry::support::mysql::Session {
 public:
  // Does not connect yet; `component` prefixes messages ("mysql sink").
  // `local_infile`: whether LOAD DATA LOCAL INFILE may run on it.
  Session(ConnectionOptions options, std::string component, bool local_infile = false);

  void exec(const std::string& sql, std::string_view what) {
    ensure_connected();
    ferry::support::mysql::Session::exec(sql, what);
  }
  std::unique_ptr<sql::PreparedStatement> prepare(const std::string& sql, std::string_view what) {
    ensure_connected();
    return ferry::support::mysql::Session::prepare(sql, what);
  }
};

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_SESSION_H_
