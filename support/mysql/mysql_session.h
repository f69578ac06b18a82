// One MySQL / MariaDB connection on Connector/C++ 1.1, the way the mysql
// plugin and the SQL hooks use one: session settings applied on every
// connect, failures classified by one table (sql/mysql_errors.h) and thrown
// as ferry::Error with a message that names the endpoint and never the
// password, and no silent reconnect (a reconnect in the middle of a
// transaction would lose it unnoticed): the owner decides when to connect.
//
// The connector's headers stay out of this one, so that code which only
// binds parameters does not need them.
//
// Thread safety: none; one owner at a time.
#pragma once

#include <ferry/plugin.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sql {
class Connection;
class PreparedStatement;
class SQLException;
}  // namespace sql

namespace ferry::support::mysql {

// Where and as whom to connect.
struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string socket;    // a Unix socket path; wins over host/port when set
  std::string user;
  std::string password;  // secret: never in a message
  std::string database;
  int connect_timeout_s = 10;

  // "user@host:port/database" for messages; never the password.
  std::string describe() const;
  // `text` with the password masked (ferry::redact).
  std::string redact(std::string_view text) const;
};

// Query parameters, bound to `?` in order. Text and bytes both go as strings
// with their length (NUL bytes kept): a BLOB column stores the bytes as they
// are, a TEXT column refuses invalid UTF-8 (strict mode). Nothing is sent
// as NULL unless added with null().
class Params {
 public:
  void text(std::string_view v) { values_.push_back({Kind::kString, std::string(v), 0}); }
  void bytes(std::string_view v) { text(v); }
  void int64(int64_t v) { values_.push_back({Kind::kInt64, {}, v}); }
  void null() { values_.push_back({Kind::kNull, {}, 0}); }
  void clear() { values_.clear(); }

 private:
  friend class Session;
  enum class Kind { kString, kInt64, kNull };
  struct Value {
    Kind kind;
    std::string text;
    int64_t number;
  };
  std::vector<Value> values_;
};

struct SessionOptions {
  std::string label;  // starts every message: "mysql sink", "audit-sql"
  Endpoint endpoint;
  // Run after every connect, in order (time zone, sql_mode, lock waits).
  std::vector<std::string> setup;
  // Whether affected rows count rows found rather than rows changed (the
  // connector's CLIENT_FOUND_ROWS); unset: the connector's default.
  std::optional<bool> found_rows;
  // Whether the connection may answer the server's request for a local file
  // (LOAD DATA LOCAL INFILE). When on, the client library answers only
  // right after a statement that starts with LOAD (its "auto" mode), so a
  // server cannot ask for a file at any other time. Off: never.
  bool local_infile = false;
  // Backoff hints for a RETRY: after a failed statement, after a failed
  // connect.
  uint64_t retry_after_ms = 500;
  uint64_t reconnect_after_ms = 1000;
};

class Session {
 public:
  // Does not connect yet.
  explicit Session(SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Connects when not connected, and applies the setup. Throws ferry::Error:
  // CONFIG for an unknown database, AUTH for refused credentials, RETRY
  // when the server cannot be reached.
  void ensure_connected();
  bool connected() const { return conn_ != nullptr; }
  // Forgets the connection, calling the on_disconnect callback first so
  // that statements prepared on it die before it does.
  void disconnect() noexcept;
  void on_disconnect(std::function<void()> callback) { on_disconnect_ = std::move(callback); }
  // Bumped on every new connection: owners of prepared statements compare
  // it to know when theirs died with the old one.
  uint64_t generation() const { return generation_; }

  // These never connect: without a connection they answer RETRY ("the
  // connection was lost"), so a COMMIT can never land on a new connection
  // with nothing to commit.
  void exec(const std::string& sql, std::string_view what);
  // Returns the affected-row count.
  int64_t exec(const std::string& sql, const Params& params, std::string_view what);
  std::unique_ptr<sql::PreparedStatement> prepare(const std::string& sql, std::string_view what);

  // Throws `e` as a classified ferry::Error saying what failed where; a
  // lost connection is dropped first.
  [[noreturn]] void fail(const sql::SQLException& e, std::string_view what);
  std::string message(const sql::SQLException& e, std::string_view what) const;
  // After catching a SQLException that fail() does not rethrow: drops a
  // lost connection.
  void note(const sql::SQLException& e);

  const SessionOptions& options() const { return options_; }
  const std::string& label() const { return options_.label; }
  sql::Connection& raw();

 private:
  sql::Connection& live(std::string_view what);

  SessionOptions options_;
  std::unique_ptr<sql::Connection> conn_;
  std::function<void()> on_disconnect_;
  uint64_t generation_ = 0;
};

// `name` with embedded backticks doubled: safe for any identifier.
std::string quote_ident(std::string_view name);

// Connector/C++ reports its own failures (a closed connection, a bad
// argument) with error code 0.
int error_code(const sql::SQLException& e);

}  // namespace ferry::support::mysql
