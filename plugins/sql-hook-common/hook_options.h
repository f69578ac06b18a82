// The options every SQL hook shares: where its tables live (driver, path or
// dsn), their name prefix and how long to wait for a lock. A hook's own
// options extend HookOptions and read theirs before handing the rest here.
#ifndef FERRY_PLUGINS_SQL_HOOK_COMMON_HOOK_OPTIONS_H_
#define FERRY_PLUGINS_SQL_HOOK_COMMON_HOOK_OPTIONS_H_

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace ferry_sql_hooks {

// kMysql only comes out of read_hook_option in a build with the connector
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

// A non-empty (unless allowed) string option, or fail_option.
std::string read_string_option(std::string_view hook, const boost::json::value& v, std::string_view name,
                               bool allow_empty = false);

// Reads option `name` into `opts` if it is one of the shared ones; false if
// it is not (the hook's own, or unknown).
bool read_hook_option(std::string_view hook, std::string_view name, const boost::json::value& v, HookOptions& opts);

// What the descriptor cannot say ("required for one driver"), checked once
// every option is read.
void check_hook_options(std::string_view hook, const HookOptions& opts);

}  // namespace ferry_sql_hooks

#endif  // FERRY_PLUGINS_SQL_HOOK_COMMON_HOOK_OPTIONS_H_
