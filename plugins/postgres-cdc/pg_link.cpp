#include "pg_link.h"

#include <sql/pg_errors.h>

#include <algorithm>

namespace ferry_pg_cdc {

PgLink::PgLink(const std::string& dsn, Mode mode, std::string who) : who_(std::move(who)) {
  std::vector<std::pair<std::string, std::string>> overrides;
  if (mode == Mode::Replication) overrides.emplace_back("replication", "database");
  conn_ = ferry::support::pg::open_libpq(dsn, who_, target_,
                                         {{"connect_timeout", "10"}, {"application_name", "ferry-cdc"}}, overrides);
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  // Values print the same way on every server: the walsender formats the
  // stream's values with these settings too. Set here rather than in the
  // DSN's `options`, which stay the user's (a search_path, say).
  query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; "
        "SET extra_float_digits = 3; SET bytea_output = 'hex'; SET client_encoding = 'UTF8'",
        "setting up the session");
}

PgLink::~PgLink() {
  if (conn_) PQfinish(conn_);
}

Result PgLink::query(const std::string& sql, std::string_view what, const Params& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  Result r(params.empty() ? PQexec(conn_, sql.c_str())
                          : PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                         values.data(), nullptr, nullptr, 0));
  const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_COPY_BOTH) fail(r.get(), what);
  return r;
}

namespace {

using Quote = char* (*)(PGconn*, const char*, size_t);

std::string quoted(PgLink& link, Quote quote, std::string_view text, std::string_view what) {
  char* q = quote(link.raw(), text.data(), text.size());
  if (q == nullptr) link.fail(nullptr, what);
  std::string out(q);
  PQfreemem(q);
  return out;
}

}  // namespace

std::string PgLink::quote_ident(std::string_view name) {
  return quoted(*this, PQescapeIdentifier, name, "quoting an identifier");
}

std::string PgLink::quote_literal(std::string_view text) {
  return quoted(*this, PQescapeLiteral, text, "quoting a literal");
}

void PgLink::fail(const PGresult* r, std::string_view what) const {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string detail = r ? PQresultErrorMessage(r) : "";
  if (detail.empty()) detail = PQerrorMessage(conn_);
  detail = ferry::support::pg::one_line(detail);
  const bool lost = PQstatus(conn_) != CONNECTION_OK;
  const std::string sqlstate = state ? state : "";
  if (!sqlstate.empty()) detail += " [SQLSTATE " + sqlstate + "]";
  if (lost) detail += " (connection lost)";
  const bool transient = std::find(retry_on_.begin(), retry_on_.end(), sqlstate) != retry_on_.end();
  const FerryStatus status = transient ? FERRY_RETRY : ferry::support::status_of_sqlstate(sqlstate, lost);
  throw ferry::Error(status,
                     redact(who_ + ": " + std::string(what) + " (" + target_.endpoint + "): " + detail),
                     status == FERRY_RETRY ? 1000 : 0);
}

}  // namespace ferry_pg_cdc
