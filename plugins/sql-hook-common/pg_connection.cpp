#include "pg_connection.h"

#include "sql/pg_errors.h"

#include <ferry/redact.hpp>

#include <ferry/plugin.hpp>

#include <cctype>
#include <cstring>

namespace ferry_sql_hooks {
namespace {

// Spaces out the host's next attempt; the server-side lock_timeout already
// waited for the other writer.
constexpr uint64_t kRetryAfterMs = 200;
constexpr uint64_t kReconnectAfterMs = 1000;

constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr Oid kByteaOid = 17;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// libpq messages end with a newline; Ferry's do not.
std::string trim(std::string s) {
  while (!s.empty() && is_space(s.back())) s.pop_back();
  return s;
}

bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

void ignore_notice(void*, const char*) {}

}  // namespace

std::string redact(std::string_view text, std::string_view secret) { return ferry::redact(text, secret); }

// --- PgParams ---------------------------------------------------------------

void PgParams::text(std::string_view v) {
  storage_.emplace_back(v.data() ? v.data() : "", v.size());
  is_null_.push_back(false);
  types_.push_back(kTextOid);
  lengths_.push_back(static_cast<int>(v.size()));
  formats_.push_back(1);  // binary text: an embedded NUL is an error, not a cut
}

void PgParams::bytes(std::string_view v) {
  storage_.emplace_back(v.data() ? v.data() : "", v.size());
  is_null_.push_back(false);
  types_.push_back(kByteaOid);
  lengths_.push_back(static_cast<int>(v.size()));
  formats_.push_back(1);
}

void PgParams::int64(int64_t v) {
  std::string be(8, '\0');
  const auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) be[static_cast<size_t>(i)] = static_cast<char>(u >> (56 - 8 * i));
  storage_.push_back(std::move(be));
  is_null_.push_back(false);
  types_.push_back(kInt8Oid);
  lengths_.push_back(8);
  formats_.push_back(1);
}

void PgParams::null() {
  storage_.emplace_back();
  is_null_.push_back(true);
  types_.push_back(0);
  lengths_.push_back(0);
  formats_.push_back(1);
}

void PgParams::clear() {
  storage_.clear();
  is_null_.clear();
  types_.clear();
  lengths_.clear();
  formats_.clear();
  values_.clear();
}

const char* const* PgParams::values() const {
  values_.resize(storage_.size());
  for (size_t i = 0; i < storage_.size(); ++i)
    values_[i] = is_null_[i] ? nullptr : storage_[i].data();
  return values_.data();
}

// --- PgConnection -----------------------------------------------------------

PgConnection::PgConnection(const std::string& dsn, int lock_timeout_ms, std::string label)
    : label_(std::move(label)), lock_timeout_ms_(lock_timeout_ms) {
  // Parse first: a malformed dsn is a configuration error, and the password
  // is needed to keep it out of every later message.
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(dsn.c_str(), &parse_error);
  if (parsed == nullptr) {
    const std::string detail = parse_error ? trim(parse_error) : "out of memory";
    PQfreemem(parse_error);
    throw ferry::Error(FERRY_ERROR_CONFIG,
                       label_ + ": option 'dsn' is not a valid connection string: " +
                           redact(detail));
  }
  for (const PQconninfoOption* o = parsed; o->keyword; ++o)
    if (o->val && std::strcmp(o->keyword, "password") == 0) password_ = o->val;
  PQconninfoFree(parsed);

  // Later keywords win, so the dsn can override our connect_timeout.
  const std::string app = "ferry-" + label_;
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* vals[] = {"10", app.c_str(), dsn.c_str(), nullptr};
  conn_ = PQconnectdbParams(keys, vals, /*expand_dbname=*/1);
  if (conn_ == nullptr) throw ferry::Error(FERRY_ERROR_INTERNAL, label_ + ": out of memory");
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  const char* db = PQdb(conn_);
  const char* host = PQhost(conn_);
  const char* port = PQport(conn_);
  where_ = redact(std::string("database ") + (db ? db : "?") + " on " + (host ? host : "?") +
                  ":" + (port ? port : "?"));
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string detail = redact(trim(PQerrorMessage(conn_)));
    PQfinish(conn_);
    conn_ = nullptr;
    FerryStatus st = FERRY_RETRY;  // server down or unreachable: try again later
    if (contains(detail, "authentication failed") || contains(detail, "no password supplied") ||
        contains(detail, "password is required"))
      st = FERRY_ERROR_AUTH;
    else if (contains(detail, "does not exist"))  // role or database
      st = FERRY_ERROR_CONFIG;
    throw ferry::Error(st, label_ + ": cannot connect to " + where_ + ": " + detail,
                       st == FERRY_RETRY ? kReconnectAfterMs : 0);
  }
  configure();
}

PgConnection::~PgConnection() { PQfinish(conn_); }

std::string PgConnection::redact(std::string_view text) const {
  return ferry_sql_hooks::redact(text, password_);
}

void PgConnection::configure() {
  // lock_timeout 0 means "wait forever" in PostgreSQL; busy_timeout_ms 0
  // means "do not wait" in Ferry.
  const int ms = lock_timeout_ms_ > 0 ? lock_timeout_ms_ : 1;
  exec("SET lock_timeout = " + std::to_string(ms), "configuring the session");
}

void PgConnection::ensure_connected() {
  if (PQstatus(conn_) == CONNECTION_OK) return;
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK)
    throw ferry::Error(FERRY_RETRY,
                       label_ + ": lost the connection to " + where_ +
                           " and cannot reconnect: " + redact(trim(PQerrorMessage(conn_))),
                       kReconnectAfterMs);
  configure();
}

void PgConnection::fail(const PGresult* r, std::string_view what) const {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string detail = r ? PQresultErrorMessage(r) : "";
  if (detail.empty()) detail = PQerrorMessage(conn_);
  // Whatever the server said, a dropped connection is worth another try.
  const bool lost = PQstatus(conn_) != CONNECTION_OK;
  const FerryStatus st = state || lost ? ferry::support::status_of_sqlstate(state ? state : "", lost)
                                       : FERRY_ERROR_INTERNAL;
  std::string msg = label_ + ": " + std::string(what) + " in " + where_ + ": " + trim(detail);
  if (state) msg += std::string(" (SQLSTATE ") + state + ")";
  throw ferry::Error(st, redact(msg), st == FERRY_RETRY ? kRetryAfterMs : 0);
}

void PgConnection::exec(const std::string& sql, std::string_view what) {
  PgResult r(PQexec(conn_, sql.c_str()));
  const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) fail(r.get(), what);
}

PgResult PgConnection::exec(const std::string& sql, const PgParams& params,
                            std::string_view what) {
  PgResult r(PQexecParams(conn_, sql.c_str(), params.size(), params.types(), params.values(),
                          params.lengths(), params.formats(), /*resultFormat=*/0));
  const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) fail(r.get(), what);
  return r;
}

int64_t PgConnection::affected(const PGresult* r) {
  const char* n = PQcmdTuples(const_cast<PGresult*>(r));
  return n && *n ? std::stoll(n) : 0;
}

// --- PgTransaction ----------------------------------------------------------

PgTransaction::PgTransaction(PgConnection& db) : db_(db) {
  db_.ensure_connected();
  db_.exec("BEGIN", "starting a transaction");
  open_ = true;
}

PgTransaction::~PgTransaction() {
  if (!open_) return;
  try {
    db_.exec("ROLLBACK", "rolling back");
  } catch (...) {
    // The connection may be gone, which rolls back on the server; the error
    // that got us here is the one worth reporting.
  }
}

void PgTransaction::commit() {
  open_ = false;  // whatever COMMIT answers, the transaction is over
  db_.exec("COMMIT", "committing");
}

}  // namespace ferry_sql_hooks
