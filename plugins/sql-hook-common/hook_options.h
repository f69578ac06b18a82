// The options every SQL hook shares: where its tables live (driver, path or
// dsn), their name prefix and how long to wait for a lock. A hook's own
// options extend HookOptions.
#ifndef FERRY_PLUGINS_SQL_HOOK_COMMON_HOOK_OPTIONS_H_
#define FERRY_PLUGINS_SQL_HOOK_COMMON_HOOK_OPTIONS_H_

#include <string>
#include <string_view>

namespace ferry {
class Context;
}

namespace ferry_sql_hooks {

// kMysql only comes out of read_hook_options in a build with the connector
// (FERRY_SQL_HOOKS_MYSQL); otherwise "mysql" fails with a clear message.
enum class Driver { kSqlite, kPostgres, kMysql };

struct HookOptions {
  Driver driver = Driver::kSqlite;
  std::string path;  // sqlite: as configured; resolved against base_dir by the hook
  std::string dsn;   // postgres / mysql: connection string or URI (a secret: may hold a password)
  std::string table_prefix = "ferry_";
  int busy_timeout_ms = 5000;
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) with "<hook>: <message>".
[[noreturn]] void fail_option(std::string_view hook, const std::string& message);

// A string option as the host checked it, `fallback` when absent; empty
// refused unless allowed.
std::string read_string_option(std::string_view hook, const ferry::Context& ctx, const char* name,
                               const std::string& fallback, bool allow_empty = false);

// Reads the shared options into `opts` and checks what the descriptor
// cannot say ("required for one driver").
void read_hook_options(std::string_view hook, const ferry::Context& ctx, HookOptions& opts);

}  // namespace ferry_sql_hooks

#endif  // FERRY_PLUGINS_SQL_HOOK_COMMON_HOOK_OPTIONS_H_
