#include "pg_connection.h"

#include <ferry/plugin.hpp>
#include <ferry/redact.hpp>

namespace ferry_sql_hooks {

std::string redact(std::string_view text, std::string_view secret) { return ferry::redact(text, secret); }

namespace {

namespace pg = ferry::support::pg;

pg::SessionOptions hook_session(int lock_timeout_ms, const std::string& label) {
  pg::SessionOptions options;
  options.label = label;
  options.lock_timeout_ms = lock_timeout_ms;
  options.application_name = "ferry-" + label;
  // The server-side lock_timeout already waited for the other writer: the
  // hint only spaces out the host's next attempt.
  options.retry_after_ms = 200;
  return options;
}

}  // namespace

PgConnection::PgConnection(const std::string& dsn, int lock_timeout_ms, const std::string& label)
    : session_(dsn, hook_session(lock_timeout_ms, label)) {}

void PgConnection::exec(const std::string& sql, std::string_view what) { session_.exec_script(sql, what); }

int64_t PgConnection::exec(const std::string& sql, const PgParams& params, std::string_view what) {
  return pg::affected(session_.exec(sql, what, params));
}

}  // namespace ferry_sql_hooks
