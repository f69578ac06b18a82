#include "pg_connection.h"

#include <ferry/plugin.hpp>
#include <ferry/redact.hpp>

namespace ferry_sql_hooks {
namespace {

namespace pg = ferry::support::pg;

// Spaces out the host's next attempt; the server-side lock_timeout already
// waited for the other writer.
constexpr uint64_t kRetryAfterMs = 200;
constexpr uint64_t kReconnectAfterMs = 1000;

// Runs `f`, turning a session failure into the error the host classifies.
template <class F>
auto as_ferry_error(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const pg::Failure& e) {
    const uint64_t after =
        e.status() != FERRY_RETRY ? 0 : e.connection_lost() ? kReconnectAfterMs : kRetryAfterMs;
    throw ferry::Error(e.status(), e.what(), after);
  }
}

}  // namespace

std::string redact(std::string_view text, std::string_view secret) { return ferry::redact(text, secret); }

PgConnection::PgConnection(const std::string& dsn, int lock_timeout_ms, const std::string& label) {
  as_ferry_error([&] {
    pg::SessionOptions options;
    options.label = label;
    options.lock_timeout_ms = lock_timeout_ms;
    options.application_name = "ferry-" + label;
    session_ = std::make_unique<pg::Session>(dsn, std::move(options));
  });
}

void PgConnection::exec(const std::string& sql, std::string_view what) {
  as_ferry_error([&] { session_->exec_script(sql, what); });
}

int64_t PgConnection::exec(const std::string& sql, const PgParams& params, std::string_view what) {
  return as_ferry_error([&] { return pg::affected(session_->exec(sql, what, params)); });
}

PgTransaction::PgTransaction(PgConnection& db) {
  as_ferry_error([&] { tx_ = std::make_unique<pg::Transaction>(db.session()); });
}

PgTransaction::~PgTransaction() = default;

void PgTransaction::commit() {
  as_ferry_error([&] { tx_->commit(); });
}

}  // namespace ferry_sql_hooks
