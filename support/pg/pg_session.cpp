#include "pg/pg_session.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>

#include <ferry/redact.hpp>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/notification>
#include <pqxx/prepared_statement>

#include "codec/hex.h"
#include "sql/pg_dsn.h"
#include "sql/pg_errors.h"

namespace pqxx {
// A parameter goes as its text, or as NULL.
template <>
struct string_traits<ferry::support::pg::Value> {
  static constexpr const char* name() noexcept { return "ferry parameter"; }
  static constexpr bool has_null() noexcept { return true; }
  static bool is_null(const ferry::support::pg::Value& v) { return !v.text; }
  static ferry::support::pg::Value null() { return {}; }
  static void from_string(const char text[], ferry::support::pg::Value& v) { v.text = text; }
  static std::string to_string(const ferry::support::pg::Value& v) { return v.text.value_or(std::string()); }
};
}  // namespace pqxx

namespace ferry::support::pg {
namespace {

// libpq's messages end with a newline; Ferry's do not.
std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s.empty() ? "unknown error" : s;
}

// The SQLSTATE of a failed statement. libpqxx 6.4 throws a few errors as
// their own types but without the code (result::throw_sql_error passes none
// for them): a refused privilege (an sql_error) and the transaction
// rollbacks (not sql_errors at all: pqxx::failure), which would otherwise
// be unclassified. The type says which it was.
std::string sqlstate_of(const std::exception& e) {
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    if (!sql->sqlstate().empty()) return sql->sqlstate();
    if (dynamic_cast<const pqxx::insufficient_privilege*>(&e)) return "42501";
    return {};
  }
  if (dynamic_cast<const pqxx::deadlock_detected*>(&e)) return "40P01";
  if (dynamic_cast<const pqxx::serialization_failure*>(&e)) return "40001";
  if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e)) return "40003";
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e)) return "40000";
  return {};
}

// One conninfo value, quoted as libpq's keyword/value syntax wants it.
std::string quoted(const char* v) {
  std::string out = "'";
  for (const char* p = v; *p; ++p) {
    if (*p == '\'' || *p == '\\') out += '\\';
    out += *p;
  }
  return out + "'";
}

// The SQL of a statement on one line and short, for a message.
std::string summary(const std::string& sql) {
  std::string line;
  for (char c : sql) {
    if (c == '\n' || c == '\t') c = ' ';
    if (c == ' ' && !line.empty() && line.back() == ' ') continue;
    line += c;
  }
  return line.size() <= 60 ? line : line.substr(0, 57) + "...";
}

}  // namespace

Params& Params::text(std::string_view v) {
  if (v.find('\0') != std::string_view::npos)
    throw Failure(FERRY_INVALID_DATA, "a text value holds a NUL byte, which PostgreSQL text cannot store", "",
                  Failure::Kind::Statement);
  values_.push_back({std::string(v)});
  return *this;
}

Params& Params::bytes(std::string_view v) {
  std::string hex = "\\x";
  append_hex(hex, v);
  values_.push_back({std::move(hex)});
  return *this;
}

Params& Params::integer(int64_t v) {
  values_.push_back({std::to_string(v)});
  return *this;
}

Params& Params::null() {
  values_.push_back({});
  return *this;
}

Session::Session(const std::string& dsn, SessionOptions options) : options_(std::move(options)) {
  // What may be a password is known before anything can fail, also in a
  // DSN libpq reads otherwise than its writer meant.
  for (const std::string& s : pg_dsn_secrets(dsn)) scrub_.add(s);
  // Parsed first: a malformed DSN is a configuration error, whose message
  // keeps none of the fragments libpq quotes from it.
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(dsn.c_str(), &parse_error);
  if (!parsed) {
    const std::string detail = parse_error ? mask_quoted_fragments(trimmed(parse_error)) : "out of memory";
    PQfreemem(parse_error);
    throw Failure(FERRY_ERROR_CONFIG, options_.label + ": not a valid connection string: " + redact(detail), "",
                  Failure::Kind::Statement);
  }
  // Written back as keyword/value pairs (a URI too), with Ferry's defaults
  // where the DSN says nothing.
  std::string host, hostaddr, port, db, user, password;
  bool has_timeout = false, has_app = false;
  for (const PQconninfoOption* o = parsed; o->keyword; ++o) {
    if (!o->val) continue;
    const std::string key = o->keyword;
    if (key == "password") password = o->val;
    if (key == "host") host = o->val;
    if (key == "hostaddr") hostaddr = o->val;
    if (key == "port") port = o->val;
    if (key == "dbname") db = o->val;
    if (key == "user") user = o->val;
    if (key == "connect_timeout") has_timeout = true;
    if (key == "application_name" || key == "fallback_application_name") has_app = true;
    dsn_ += key + "=" + quoted(o->val) + " ";
  }
  PQconninfoFree(parsed);
  scrub_.add(password);
  // A password libpq reads only in part would put the rest in a host, a
  // database or a keyword, which messages show.
  const std::string misread = pg_dsn_misread(dsn, PgDsnParts{host, port, db});
  if (!misread.empty()) throw Failure(FERRY_ERROR_CONFIG, options_.label + ": " + misread, "", Failure::Kind::Statement);
  if (!has_timeout) dsn_ += "connect_timeout=10 ";
  if (!has_app && !options_.application_name.empty())
    dsn_ += "fallback_application_name=" + quoted(options_.application_name.c_str());
  if (host.empty()) host = hostaddr.empty() ? "localhost" : hostaddr;
  if (db.empty()) db = user;
  where_ = redact(host + ":" + (port.empty() ? "5432" : port) + "/" + db);
  connect();
}

class Session::Listener final : public pqxx::notification_receiver {
 public:
  Listener(pqxx::connection_base& c, const std::string& channel) : notification_receiver(c, channel) {}
  void operator()(const std::string&, int) override { heard = true; }
  bool heard = false;
};

Session::~Session() = default;

void Session::listen(const std::string& channel) {
  ensure_connected();
  listener_.reset();
  try {
    listener_ = std::make_unique<Listener>(*conn_, channel);
  } catch (const std::exception& e) {
    fail(e, "listening on channel " + channel);
  }
}

bool Session::wait_notification(int64_t ms) {
  if (!listener_) throw std::logic_error("wait_notification without listen");
  try {
    conn_->get_notifs();  // one that came with an earlier statement's answer
    if (!listener_->heard) conn_->await_notification(static_cast<long>(ms / 1000), static_cast<long>(ms % 1000) * 1000);
  } catch (const std::exception& e) {
    fail(e, "waiting for a notification");
  }
  const bool heard = listener_->heard;
  listener_->heard = false;
  return heard;
}

std::string Session::redact(std::string_view text) const { return scrub_(ferry::redact_dsn(text)); }

void Session::connect() {
  listener_.reset();
  tx_.reset();
  quiet_.reset();
  conn_.reset();
  try {
    conn_ = std::make_unique<pqxx::connection>(dsn_);
  } catch (const std::exception& e) {
    const std::string detail = redact(trimmed(e.what()));
    const FerryStatus st = status_of_pg_connect_failure(detail);
    throw Failure(st, options_.label + ": cannot connect to " + where_ + ": " + detail, "",
                  Failure::Kind::ConnectionLost, st == FERRY_RETRY ? options_.reconnect_after_ms : 0);
  }
  quiet_ = std::make_unique<pqxx::quiet_errorhandler>(*conn_);
  if (options_.lock_timeout_ms)
    exec("SET lock_timeout = " + std::to_string(*options_.lock_timeout_ms > 0 ? *options_.lock_timeout_ms : 1),
         "configuring the session");
}

bool Session::connected() const { return conn_ && conn_->is_open(); }

void Session::ensure_connected() {
  if (connected()) return;
  connect();
}

void Session::fail(const std::exception& e, std::string_view what) const {
  const bool lost = !connected();
  std::string sqlstate;
  Failure::Kind kind = lost ? Failure::Kind::ConnectionLost : Failure::Kind::Statement;
  FerryStatus st = lost ? FERRY_RETRY : FERRY_ERROR_INTERNAL;
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e)) {
    kind = Failure::Kind::InDoubt;
    st = FERRY_ERROR_IO;
  } else if (dynamic_cast<const pqxx::sql_error*>(&e) || dynamic_cast<const pqxx::transaction_rollback*>(&e)) {
    sqlstate = sqlstate_of(e);
    if (!sqlstate.empty() || lost) st = status_of_sqlstate(sqlstate, lost);
  } else if (dynamic_cast<const pqxx::broken_connection*>(&e)) {
    kind = Failure::Kind::ConnectionLost;
    st = FERRY_RETRY;
  }
  std::string message = options_.label + " " + where_ + ": " + std::string(what) + ": " + trimmed(e.what());
  if (!sqlstate.empty()) message += " (SQLSTATE " + sqlstate + ")";
  const uint64_t after =
      st != FERRY_RETRY ? 0 : kind == Failure::Kind::ConnectionLost ? options_.reconnect_after_ms : options_.retry_after_ms;
  throw Failure(st, redact(message), sqlstate, kind, after);
}

pqxx::result Session::exec(const std::string& sql, std::string_view what, const Params& params) {
  if (!conn_) connect();  // a reconnect that failed left none
  try {
    const auto args = pqxx::prepare::make_dynamic_params(params.values());
    if (tx_) return tx_->exec_params(sql, args);
    pqxx::nontransaction once(*conn_);
    return once.exec_params(sql, args);
  } catch (const std::exception& e) {
    fail(e, std::string(what) + " ('" + summary(sql) + "')");
  }
}

void Session::exec_script(const std::string& sql, std::string_view what) {
  if (!conn_) connect();
  try {
    if (tx_) {
      tx_->exec(sql);
      return;
    }
    pqxx::nontransaction once(*conn_);
    once.exec(sql);
  } catch (const std::exception& e) {
    fail(e, what);
  }
}

Transaction::Transaction(Session& s) : s_(s) {
  s_.ensure_connected();
  try {
    s_.tx_ = std::make_unique<pqxx::work>(*s_.conn_);
  } catch (const std::exception& e) {
    s_.fail(e, "starting a transaction");
  }
}

Transaction::~Transaction() {
  if (!s_.tx_) return;
  try {
    s_.tx_->abort();
  } catch (...) {
    // The connection may be gone, which rolls back on the server; the error
    // that got here is the one worth reporting.
  }
  s_.tx_.reset();
}

void Transaction::commit() {
  std::unique_ptr<pqxx::work> tx = std::move(s_.tx_);  // whatever COMMIT answers, the transaction is over
  try {
    tx->commit();
  } catch (const std::exception& e) {
    s_.fail(e, "committing");
  }
}

int64_t affected(const pqxx::result& r) { return static_cast<int64_t>(r.affected_rows()); }

}  // namespace ferry::support::pg
