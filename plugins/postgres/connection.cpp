#include "connection.h"

#include "sql/pg_dsn.h"
#include "sql/pg_errors.h"
#include "redact.h"

namespace ferry_pg {
namespace {

// libpq and the server split messages over lines (ERROR / DETAIL / HINT);
// a log line or an error shown by the host must be one line.
std::string one_line(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

std::string describe_dsn(const std::string& dsn, std::string* password, ferry::support::PgDsnParts* parts) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
  if (err) PQfreemem(err);
  std::string host, hostaddr, port, db, user;
  if (opts) {
    for (PQconninfoOption* o = opts; o->keyword; ++o) {
      if (!o->val) continue;
      const std::string_view k = o->keyword;
      if (k == "host") host = o->val;
      else if (k == "hostaddr") hostaddr = o->val;
      else if (k == "port") port = o->val;
      else if (k == "dbname") db = o->val;
      else if (k == "user") user = o->val;
      else if (k == "password" && password) *password = o->val;
    }
    PQconninfoFree(opts);
  }
  if (parts) *parts = ferry::support::PgDsnParts{host, port, db};
  if (host.empty()) host = hostaddr.empty() ? "localhost" : hostaddr;
  if (port.empty()) port = "5432";
  std::string out = host + ":" + port;
  if (!db.empty()) out += "/" + db;
  if (!user.empty()) out += " as user \"" + user + "\"";
  return out;
}

Connection::Connection(const std::string& dsn, std::string who, const ferry::Host* host) : who_(std::move(who)) {
  if (host != nullptr) host_ = *host;
  // What may be a password is known before anything can fail, also in a
  // DSN libpq reads otherwise than its writer meant.
  for (const std::string& s : ferry::support::pg_dsn_secrets(dsn)) scrub_.add(s);
  // A malformed DSN is a configuration error, whose message keeps none of
  // the fragments libpq quotes from it; so is one whose password libpq
  // would read only in part (the rest would show as a host or a database).
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(dsn.c_str(), &parse_error);
  if (parsed == nullptr) {
    const std::string detail =
        parse_error ? ferry::support::mask_quoted_fragments(one_line(parse_error)) : "out of memory";
    if (parse_error) PQfreemem(parse_error);
    throw PgError(FERRY_ERROR_CONFIG, redact(who_ + ": not a valid connection string: " + detail), "", false);
  }
  PQconninfoFree(parsed);
  std::string password;
  ferry::support::PgDsnParts parts;
  endpoint_ = describe_dsn(dsn, &password, &parts);
  scrub_.add(password);
  const std::string misread = ferry::support::pg_dsn_misread(dsn, parts);
  if (!misread.empty()) throw PgError(FERRY_ERROR_CONFIG, who_ + ": " + misread, "", false);
  endpoint_ = redact(endpoint_);
  // The DSN is expanded last, so its own settings win over these defaults.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "ferry", dsn.c_str(), nullptr};
  conn_ = PQconnectdbParams(keys, values, 1);
  if (conn_ == nullptr) throw PgError(FERRY_ERROR_INTERNAL, who_ + ": out of memory", "", false);
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string detail = one_line(PQerrorMessage(conn_));
    const FerryStatus status = ferry::support::status_of_pg_connect_failure(detail);
    const std::string msg = message("cannot connect", detail);
    PQfinish(conn_);
    conn_ = nullptr;
    throw PgError(status, msg, "", status == FERRY_RETRY);
  }
  // libpq prints NOTICEs ("table ... does not exist, skipping") on stderr,
  // outside the host's log format; they are debug detail, not news.
  PQsetNoticeProcessor(
      conn_,
      [](void* self, const char* text) {
        const auto* c = static_cast<const Connection*>(self);
        if (c->host_) c->host_->log(FERRY_LOG_DEBUG, c->who_ + ": server notice: " + c->redact(one_line(text)));
      },
      this);
  // Text results must parse the same way on every server: UTC timestamps,
  // ISO dates, floats that round-trip, hex bytea.
  exec("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; "
       "SET extra_float_digits = 3; SET bytea_output = 'hex'; SET client_encoding = 'UTF8'",
       "setting up the session");
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

std::string Connection::redact(std::string_view text) const { return scrub_(ferry_pg::redact_dsn(text)); }

std::string Connection::message(std::string_view what, std::string_view detail) const {
  std::string msg = who_ + ": " + std::string(what) + " (" + endpoint_ + "): " + std::string(detail);
  return redact(msg);
}

void Connection::fail(const PGresult* r, std::string_view what) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string detail = r ? PQresultErrorMessage(r) : "";
  if (detail.empty()) detail = PQerrorMessage(conn_);
  detail = one_line(detail);
  const bool lost = broken();
  const std::string sqlstate = state ? state : "";
  if (!sqlstate.empty()) detail += " [SQLSTATE " + sqlstate + "]";
  if (lost) detail += " (connection lost)";
  throw PgError(ferry::support::status_of_sqlstate(sqlstate, lost), message(what, detail), sqlstate, lost);
}

Result Connection::check(Result r, std::string_view what) {
  const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN) return r;
  fail(r.get(), what);
}

Result Connection::exec(const std::string& sql, std::string_view what) {
  return check(Result(PQexec(conn_, sql.c_str())), what);
}

Result Connection::exec(const std::string& sql, const Params& p, std::string_view what,
                        int result_format) {
  return check(Result(PQexecParams(conn_, sql.c_str(), static_cast<int>(p.values.size()), nullptr,
                                   p.values.data(), p.lengths.data(), p.formats.data(),
                                   result_format)),
               what);
}

bool Connection::send(const std::string& sql, const Params& p) {
  return PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(p.values.size()), nullptr, p.values.data(),
                           p.lengths.data(), p.formats.data(), 0) == 1;
}

Result Connection::collect(std::string_view what) {
  // Every result until NULL, so the connection is idle again; the first
  // failure, else the last result, is the answer.
  Result answer;
  bool failed = false;
  while (PGresult* r = PQgetResult(conn_)) {
    Result next(r);
    if (!failed) {
      const ExecStatusType st = PQresultStatus(r);
      failed = st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK;
      answer = std::move(next);
    }
    if (broken()) break;
  }
  return check(std::move(answer), what);
}

void Connection::copy_start(const std::string& sql, std::string_view what) {
  Result r = exec(sql, what);
  if (PQresultStatus(r.get()) != PGRES_COPY_IN)
    throw PgError(FERRY_ERROR_INTERNAL, message(what, "the server did not enter COPY IN"), "", false);
}

void Connection::copy_put(const std::string& data, std::string_view what) {
  if (data.empty()) return;
  // Blocking connection: 1 means queued; -1 is a dead connection, and the
  // real error is collected by copy_end.
  if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1) copy_end(what);
}

void Connection::copy_end(std::string_view what) {
  if (PQputCopyEnd(conn_, nullptr) != 1 && broken()) fail(nullptr, what);
  // Drain every result: libpq wants the connection idle again.
  Result first;
  while (PGresult* r = PQgetResult(conn_)) {
    if (!first || PQresultStatus(first.get()) == PGRES_COMMAND_OK) first.reset(r);
    else PQclear(r);
    if (broken()) break;
  }
  if (!first) fail(nullptr, what);
  check(std::move(first), what);
}

}  // namespace ferry_pg
