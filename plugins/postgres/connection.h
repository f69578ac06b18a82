// One libpq connection with classified, redacted errors.
//
// Raw libpq, not libpqxx (support/pg, which the state store and the SQL
// hooks use): the sink streams rows with binary COPY (PQputCopyData of
// COPY ... FORMAT binary) and the source pipelines its next page while the
// host works (PQsendQueryParams / PQgetResult). libpqxx 6.4 has neither a
// binary COPY nor a parameterised asynchronous query, and gives no access
// to its PGconn to do them beside it. The failures still go through
// support/sql's SQLSTATE table and the SDK's redaction.
//
// Every failure is thrown as PgError (a ferry::Error), whose status comes
// from support/sql/pg_errors.h and whose message names the endpoint (host:port/db) and
// the server's own message, never the password.
//
// Thread safety: none; one instance is used by one thread at a time.
#ifndef FERRY_PLUGINS_POSTGRES_CONNECTION_H_
#define FERRY_PLUGINS_POSTGRES_CONNECTION_H_

#include <libpq-fe.h>

#include <ferry/plugin.hpp>
#include <ferry/redact.hpp>
#include <pg/libpq_open.h>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ferry_pg {

using ferry::support::pg::Result;

class PgError : public ferry::Error {
 public:
  PgError(FerryStatus status, const std::string& message, std::string sqlstate,
          bool connection_lost, bool held = false)
      : ferry::Error(status, message, connection_lost ? 500 : 0),
        sqlstate_(std::move(sqlstate)),
        connection_lost_(connection_lost),
        held_(held) {}
  const std::string& sqlstate() const { return sqlstate_; }
  bool connection_lost() const { return connection_lost_; }
  // The statement that failed was a held one (Connection::hold), sent with
  // the call that threw.
  bool held() const { return held_; }

 private:
  std::string sqlstate_;
  bool connection_lost_;
  bool held_;
};

// Text parameters of a statement; null entries are SQL NULL.
struct Params {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;  // 0 text, 1 binary
  // Keep the statement prepared on the connection, parsed and planned once:
  // for the few fixed statements every batch runs. (A pooler in
  // transaction mode that does not keep prepared statements answers 26000
  // once; they are prepared again after it.)
  bool prepared = false;
  void add_text(const std::string& s) { add(s.data(), s.size(), 0); }
  // Only views are kept: a temporary would be gone before the statement runs.
  void add_text(std::string&&) = delete;
  void add_binary(std::string_view s) { add(s.data(), s.size(), 1); }
  void add(const char* p, size_t n, int format) {
    values.push_back(p ? p : "");
    lengths.push_back(static_cast<int>(n));
    formats.push_back(format);
  }
};

class Connection {
 public:
  // Connects and sets the session up (UTC, ISO dates, exact floats, hex
  // bytea). `who` prefixes messages ("postgres sink"). Throws PgError:
  // FERRY_ERROR_AUTH for rejected credentials, FERRY_ERROR_CONFIG for a
  // missing database or a malformed DSN, FERRY_RETRY when the server cannot
  // be reached (the host makes that fatal at open, and retries it later).
  // The server's notices go to `host`'s log at debug level (libpq would
  // print them on stderr); none are kept when `host` is null.
  Connection(const std::string& dsn, std::string who, const ferry::Host* host = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool broken() const { return poisoned_ || PQstatus(conn_) != CONNECTION_OK; }
  // "127.0.0.1:5432/db": for messages.
  const std::string& endpoint() const { return target_.endpoint; }
  PGconn* raw() const { return conn_; }

  // Runs SQL (possibly several statements); throws on failure.
  Result exec(const std::string& sql, std::string_view what);
  // One statement with bound parameters.
  Result exec(const std::string& sql, const Params& params, std::string_view what,
              int result_format = 0);

  // A statement whose answer nothing waits for (BEGIN, SAVEPOINT, LOCK, the
  // checkpoint's advisory lock) is held and goes out with the next exec()
  // or copy_start(), in the same round trip: as one simple query when none
  // has parameters, else as a pipeline. One statement each. If a held
  // statement fails, that call throws its error, with its `what` and
  // PgError::held() set, and the statements after it did not run; a lost
  // connection is reported as the call's own failure.
  void hold(std::string sql, std::string what);
  void hold(std::string sql, const Params& params, std::string what);
  // Forgets what is held (before a ROLLBACK, which makes it moot).
  void drop_held() noexcept { held_.clear(); }

  // A query sent now and collected later, so the server works while the
  // caller does. send() never throws: false means nothing is in flight
  // (also while statements are held), and the caller runs the query again
  // with exec(), which reports why.
  // collect() throws like exec().
  bool send(const std::string& sql, const Params& params, int result_format = 0);
  Result collect(std::string_view what);

  // COPY ... FROM STDIN: start with exec of the COPY statement (which
  // returns PGRES_COPY_IN), put data, then end (or abort). A failure inside
  // the COPY surfaces at copy_end, or copy_abort.
  void copy_start(const std::string& sql, std::string_view what);
  void copy_put(const std::string& data, std::string_view what);
  void copy_end(std::string_view what);
  // Ends the COPY with an error of the client's own, `why`: the server
  // discards what was sent and fails the COPY, which leaves the transaction
  // failed until the caller rolls back (to a savepoint). Throws when the
  // connection is lost, or with the server's error when the COPY had
  // failed before (a constraint, a timeout), as copy_end would have; `what`
  // should be copy_end's, since the error is the same.
  void copy_abort(const std::string& why, std::string_view what);

  // A message with the endpoint and redacted text.
  std::string message(std::string_view what, std::string_view detail) const;
  std::string redact(std::string_view text) const;

 private:
  struct Held {
    std::string sql;
    std::string what;
    std::vector<std::string> values;  // owned: Params only points at its values
    std::vector<int> formats;
    bool prepared = false;
  };
  // The name `sql` is prepared under on this connection; empty when it is not (yet).
  std::string prepared_name(const std::string& sql) const;
  // After 26000 in `r`: prepared statements are dropped and not made again.
  void note_lost_statements(const PGresult* r);
  [[noreturn]] void fail(const PGresult* r, std::string_view what, bool held = false);
  Result check(Result r, std::string_view what);
  // The results of an ended COPY, drained (see connection.cpp).
  Result copy_results();
  // Sends the held statements and then `sql` as one simple query.
  Result exec_with_held(const std::string& sql, std::string_view what);
  // Sends the held statements and then `sql` (when given) as one pipeline.
  Result pipeline_with_held(const std::string* sql, const Params* params, std::string_view what,
                            int result_format);

  std::string who_;
  std::optional<ferry::Host> host_;  // for the server's notices
  ferry::support::pg::LibpqTarget target_;  // endpoint and password, for messages
  PGconn* conn_ = nullptr;
  std::vector<Held> held_;
  std::unordered_map<std::string, std::string> prepared_;  // statement -> its name
  // False once the server said a prepared statement was gone (26000: a
  // pooler handing out other sessions): from then on statements are sent
  // unnamed, which any pooler serves.
  bool keep_prepared_ = true;
  uint64_t next_statement_ = 0;  // names are never reused on a session
  bool poisoned_ = false;  // left in a state no statement can follow: treated as lost
};

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_CONNECTION_H_
