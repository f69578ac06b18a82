// The SQL hooks' PostgreSQL connection: support/pg's libpqxx session (its
// failures are ferry::Errors with retry hints), opened as the hooks need.
// Shared by the audit-sql and failure-stats plugins.
#ifndef FERRY_PLUGINS_SQL_HOOK_COMMON_PG_CONNECTION_H_
#define FERRY_PLUGINS_SQL_HOOK_COMMON_PG_CONNECTION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pg/pg_session.h"

namespace ferry_sql_hooks {

// Masks `password=...` pairs and URI userinfo passwords in `text`, and every
// occurrence of `secret` (when 4 characters or longer).
std::string redact(std::string_view text, std::string_view secret);

// Query parameters, with the name the hooks' row binders use for integers
// (audit_rows.h binds PostgreSQL and MySQL rows alike).
class PgParams : public ferry::support::pg::Params {
 public:
  void int64(int64_t v) { integer(v); }
};

class PgConnection {
 public:
  // Connects to `dsn` (libpq conninfo or URI) and sets lock_timeout to
  // `lock_timeout_ms`. `label` starts every error message. Throws
  // ferry::Error: RETRY when the server cannot be reached, AUTH when it
  // refuses the credentials, CONFIG for a malformed DSN or a missing
  // database.
  PgConnection(const std::string& dsn, int lock_timeout_ms, const std::string& label);

  // Runs SQL without parameters (may hold several statements).
  void exec(const std::string& sql, std::string_view what);
  // Runs one statement; returns the rows it changed.
  int64_t exec(const std::string& sql, const PgParams& params, std::string_view what);

  ferry::support::pg::Session& session() { return session_; }

 private:
  ferry::support::pg::Session session_;
};

// BEGIN on construction (connecting again first if the connection was
// lost), ROLLBACK on destruction unless commit() succeeded.
class PgTransaction : public ferry::support::pg::Transaction {
 public:
  explicit PgTransaction(PgConnection& db) : ferry::support::pg::Transaction(db.session()) {}
};

}  // namespace ferry_sql_hooks

#endif  // FERRY_PLUGINS_SQL_HOOK_COMMON_PG_CONNECTION_H_
