// One PostgreSQL session on libpqxx: the way the host's state store and the
// SQL hooks talk to PostgreSQL. Values are bound, never spliced; a failure
// is classified by its SQLSTATE (sql/pg_errors.h); every message names the
// endpoint and never the password.
//
// The postgres plugin keeps its own libpq connection (plugins/postgres/
// connection.h): it streams binary COPY and pipelines queries, which
// libpqxx 6.4 does not offer, and 6.4 gives no access to its PGconn to do
// them beside it.
//
// Known leak: libpqxx 6.4 loses the PGresult of a statement sent on a
// connection the server has just closed (make_result throws before owning
// it), about 2 KB per lost connection; tests/lsan.supp names it.
//
// Thread safety: none; one thread uses a session at a time.
#pragma once

#include <ferry/plugin.h>
#include <ferry/plugin.hpp>
#include <ferry/redact.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>
#include <pqxx/errorhandler>
#include <pqxx/result>
#include <pqxx/transaction>

namespace ferry::support::pg {

// A failed connect or statement: a ferry::Error (its status, and a retry
// hint when it is FERRY_RETRY), as the SQLite and MySQL layers throw. what()
// is the whole message, redacted.
class Failure : public ferry::Error {
 public:
  enum class Kind {
    Statement,       // the server refused it, or it could not be sent
    ConnectionLost,  // nothing changed: it may run again on a new connection
    InDoubt,         // a COMMIT whose outcome is unknown
  };
  Failure(FerryStatus status, const std::string& message, std::string sqlstate, Kind kind,
          uint64_t retry_after_ms = 0)
      : ferry::Error(status, message, retry_after_ms), sqlstate_(std::move(sqlstate)), kind_(kind) {}
  const std::string& sqlstate() const { return sqlstate_; }
  Kind kind() const { return kind_; }
  bool connection_lost() const { return kind_ == Kind::ConnectionLost; }

 private:
  std::string sqlstate_;
  Kind kind_;
};

// One parameter: its text form, or SQL NULL.
struct Value {
  std::optional<std::string> text;
};

// The parameters of one statement, in order ($1, $2, ...). All go in text
// form and the server infers their types from the statement.
class Params {
 public:
  // PostgreSQL text cannot hold a NUL byte, and libpq would cut the value
  // there: such a value is refused (Failure, FERRY_INVALID_DATA).
  Params& text(std::string_view v);
  // BYTEA, sent in its hex form (\x...), so any byte survives.
  Params& bytes(std::string_view v);
  Params& integer(int64_t v);
  Params& null();
  template <typename T>
  Params& opt_text(const std::optional<T>& v) {
    return v ? text(*v) : null();
  }
  Params& opt_integer(const std::optional<int64_t>& v) { return v ? integer(*v) : null(); }
  void clear() { values_.clear(); }
  size_t size() const { return values_.size(); }
  const std::vector<Value>& values() const { return values_; }

 private:
  std::vector<Value> values_;
};

struct SessionOptions {
  std::string label;              // starts every message: "state store", "audit-sql hook"
  std::optional<int> lock_timeout_ms;  // set for the session; 0 becomes 1 ms (Ferry's 0 is "do not wait")
  std::string application_name;   // unless the DSN names one
  // Backoff hints for a RETRY: after a failed statement (a lock wait, a
  // serialization failure), after a lost or refused connection.
  uint64_t retry_after_ms = 200;
  uint64_t reconnect_after_ms = 1000;
};

class Session {
 public:
  // Connects. Throws Failure: FERRY_ERROR_CONFIG for a malformed DSN or a
  // missing role or database, FERRY_ERROR_AUTH for refused credentials,
  // FERRY_RETRY when the server cannot be reached.
  Session(const std::string& dsn, SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs one statement (inside the open transaction, if any); `what` says
  // what it was for in a message ("saving a checkpoint").
  pqxx::result exec(const std::string& sql, std::string_view what, const Params& params = Params());
  // Runs SQL without parameters (may hold several statements).
  void exec_script(const std::string& sql, std::string_view what);

  // A session whose connection was lost connects again (once per call).
  void ensure_connected();
  // Connects again now, whatever the old connection's state.
  void reconnect() { connect(); }
  bool connected() const;

  // LISTEN on `channel` for as long as this connection lasts (a reconnect
  // drops it); wait_notification then wakes when one arrives.
  void listen(const std::string& channel);
  // Waits up to `ms` for a notification on the listened channel; true when
  // one came. Throws Failure when the connection is lost meanwhile.
  bool wait_notification(int64_t ms);

  // "host:port/db", for messages.
  const std::string& where() const { return where_; }
  const std::string& label() const { return options_.label; }
  std::string redact(std::string_view text) const;

 private:
  friend class Transaction;
  void connect();
  [[noreturn]] void fail(const std::exception& e, std::string_view what) const;

  std::string dsn_;
  SessionOptions options_;
  ferry::SecretScrubber scrub_;  // the password as meant and as libpq read it, masked in messages
  std::string where_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::quiet_errorhandler> quiet_;  // notices ("already exists, skipping") are not news
  std::unique_ptr<pqxx::work> tx_;                    // the open transaction
  class Listener;
  std::unique_ptr<Listener> listener_;                // after conn_: goes first
};

// A transaction on a session: rolled back unless commit() succeeds, so a
// throw anywhere inside leaves no partial write.
class Transaction {
 public:
  explicit Transaction(Session& s);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Throws Failure; Kind::InDoubt when the connection went down during the
  // COMMIT, so whether it took effect is unknown.
  void commit();

 private:
  Session& s_;
};

// Rows a command changed (UPDATE, DELETE, INSERT).
int64_t affected(const pqxx::result& r);

}  // namespace ferry::support::pg
