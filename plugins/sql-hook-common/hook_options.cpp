#include "hook_options.h"

#include <ferry/plugin.hpp>

namespace ferry_sql_hooks {
namespace {

// Prefixes end up inside table and index names on every driver we may add;
// a plain alphabet keeps them portable (quoting alone differs per server).
constexpr size_t kMaxPrefix = 32;

bool is_identifier_part(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

void fail_option(std::string_view hook, const std::string& message) {
  throw ferry::Error(FERRY_ERROR_CONFIG, std::string(hook) + ": " + message);
}

std::string read_string_option(std::string_view hook, const ferry::Context& ctx, const char* name,
                               const std::string& fallback, bool allow_empty) {
  if (ctx.option(name) == nullptr || !ctx.option(name)->present) return fallback;
  std::string s = ctx.option_string(name);
  if (s.empty() && !allow_empty) fail_option(hook, "option '" + std::string(name) + "' must not be empty");
  return s;
}

void read_hook_options(std::string_view hook, const ferry::Context& ctx, HookOptions& opts) {
  ctx.require_typed_options();
  const std::string driver = read_string_option(hook, ctx, "driver", "sqlite");
  if (driver == "sqlite") {
    opts.driver = Driver::kSqlite;
  } else if (driver == "postgres") {
    opts.driver = Driver::kPostgres;
#ifdef FERRY_SQL_HOOKS_MYSQL
  } else if (driver == "mysql") {
    opts.driver = Driver::kMysql;
#endif
  } else {
    fail_option(hook, "driver '" + driver + "' is not available in this build");
  }
  opts.path = read_string_option(hook, ctx, "path", "");
  opts.dsn = read_string_option(hook, ctx, "dsn", "");
  opts.table_prefix = read_string_option(hook, ctx, "table_prefix", opts.table_prefix, /*allow_empty=*/true);
  if (opts.table_prefix.size() > kMaxPrefix)
    fail_option(hook, "option 'table_prefix' is longer than " + std::to_string(kMaxPrefix) + " characters");
  for (char c : opts.table_prefix)
    if (!is_identifier_part(c)) fail_option(hook, "option 'table_prefix' may only hold [A-Za-z0-9_]");
  const int64_t busy = ctx.option_int("busy_timeout_ms", opts.busy_timeout_ms);
  if (busy < 0 || busy > 3600000)
    fail_option(hook, "option 'busy_timeout_ms' must be an integer between 0 and 3600000");
  opts.busy_timeout_ms = static_cast<int>(busy);

  // What the descriptor cannot say: "required for one driver".
  if (opts.driver == Driver::kSqlite) {
    if (opts.path.empty()) fail_option(hook, "option 'path' is required for driver 'sqlite'");
    if (!opts.dsn.empty()) fail_option(hook, "option 'dsn' is not for driver 'sqlite'");
    return;
  }
  const char* name = opts.driver == Driver::kPostgres ? "postgres" : "mysql";
  if (opts.dsn.empty()) fail_option(hook, "option 'dsn' is required for driver '" + std::string(name) + "'");
  if (!opts.path.empty()) fail_option(hook, "option 'path' is only for driver 'sqlite'");
}

}  // namespace ferry_sql_hooks
