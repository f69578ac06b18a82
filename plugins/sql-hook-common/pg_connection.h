// A small libpq connection wrapper: parameter binding, transactions and
// Ferry's error classification (connection loss, serialization failures and
// lock timeouts -> RETRY). Messages never carry the connection's password.
// Shared by the audit-sql and failure-stats plugins, which compile it in
// (plugin code that several bundled plugins use; it includes sdk/ only).
#ifndef FERRY_PLUGINS_SQL_HOOK_COMMON_PG_CONNECTION_H_
#define FERRY_PLUGINS_SQL_HOOK_COMMON_PG_CONNECTION_H_

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ferry_sql_hooks {

struct ResultClear {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultClear>;

// Masks `password=...` pairs and URI userinfo passwords in `text`, and every
// occurrence of `secret` (when 4 characters or longer).
std::string redact(std::string_view text, std::string_view secret);

// Query parameters. Text goes as text (PostgreSQL text cannot hold NUL
// bytes), bytes as binary bytea, integers as int8; none is ever sent as NULL
// unless added with null().
class PgParams {
 public:
  void text(std::string_view v);
  void bytes(std::string_view v);
  void int64(int64_t v);
  void null();
  int size() const { return static_cast<int>(values_.size()); }
  void clear();

  const Oid* types() const { return types_.data(); }
  const char* const* values() const;
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::vector<std::string> storage_;
  std::vector<bool> is_null_;
  std::vector<Oid> types_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  mutable std::vector<const char*> values_;
};

class PgConnection {
 public:
  // Connects to `dsn` (libpq conninfo or URI) and sets lock_timeout to
  // `lock_timeout_ms`. `label` starts every error message. Throws
  // ferry::Error: RETRY when the server cannot be reached, AUTH when it
  // refuses the credentials.
  PgConnection(const std::string& dsn, int lock_timeout_ms, std::string label);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Reconnects if the connection was lost (server restart, network).
  void ensure_connected();
  // Runs SQL without parameters (may hold several statements).
  void exec(const std::string& sql, std::string_view what);
  // Runs one statement with parameters; returns its result (commands and
  // queries alike).
  PgResult exec(const std::string& sql, const PgParams& params, std::string_view what);
  // Number of rows a command changed.
  static int64_t affected(const PGresult* r);

  [[noreturn]] void fail(const PGresult* r, std::string_view what) const;
  std::string redact(std::string_view text) const;

 private:
  void configure();

  std::string label_;
  std::string where_;     // redacted host/db for messages
  std::string password_;  // only to mask it in messages
  int lock_timeout_ms_;
  PGconn* conn_ = nullptr;
};

// BEGIN on construction, ROLLBACK on destruction unless commit() succeeded.
class PgTransaction {
 public:
  explicit PgTransaction(PgConnection& db);
  ~PgTransaction();
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  void commit();

 private:
  PgConnection& db_;
  bool open_ = false;
};

}  // namespace ferry_sql_hooks

#endif  // FERRY_PLUGINS_SQL_HOOK_COMMON_PG_CONNECTION_H_
