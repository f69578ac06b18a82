// One libpq connection of the postgres-cdc source: plain SQL for the
// catalog, the publication and the snapshot, or a replication connection
// (replication=database) for slot commands and the change stream. Results
// are text; values are bound, identifiers quoted by the server's rules.
// Every message names the endpoint and never the password.
//
// Thread safety: none; the source uses it from one thread.
#ifndef FERRY_PLUGINS_POSTGRES_CDC_PG_LINK_H_
#define FERRY_PLUGINS_POSTGRES_CDC_PG_LINK_H_

#include <libpq-fe.h>

#include <ferry/plugin.hpp>
#include <pg/libpq_open.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry_pg_cdc {

using ferry::support::pg::Result;

using Params = std::vector<std::optional<std::string>>;

class PgLink {
 public:
  enum class Mode { Sql, Replication };
  PgLink(const std::string& dsn, Mode mode, std::string who);
  ~PgLink();
  PgLink(const PgLink&) = delete;
  PgLink& operator=(const PgLink&) = delete;

  // One statement with text results; `what` says what it was for.
  Result query(const std::string& sql, std::string_view what, const Params& params = {});
  std::string quote_ident(std::string_view name);
  std::string quote_literal(std::string_view text);

  PGconn* raw() { return conn_; }
  // A SQLSTATE that is RETRY on this connection whatever its class says.
  void retry_on(std::string sqlstate) { retry_on_.push_back(std::move(sqlstate)); }
  // A failure of the connection or of `r`, classified by SQLSTATE (a lost
  // connection is RETRY).
  [[noreturn]] void fail(const PGresult* r, std::string_view what) const;
  std::string redact(std::string_view text) const { return target_.redact(text); }
  const std::string& who() const { return who_; }

 private:
  std::string who_;
  ferry::support::pg::LibpqTarget target_;
  PGconn* conn_ = nullptr;
  std::vector<std::string> retry_on_;
};

}  // namespace ferry_pg_cdc

#endif  // FERRY_PLUGINS_POSTGRES_CDC_PG_LINK_H_
