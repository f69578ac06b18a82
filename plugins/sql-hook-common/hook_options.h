// The options every SQL hook shares: where its tables live (driver, path or
// dsn), their name prefix and how long to wait for a lock. A hook's own
// options extend HookOptions.
#ifndef FERRY_PLUGINS_SQL_HOOK_COMMON_HOOK_OPTIONS_H_
#define FERRY_PLUGINS_SQL_HOOK_COMMON_HOOK_OPTIONS_H_

#include <ferry/plugin.h>
#include <options/option_reader.h>

#include <string>
#include <string_view>

namespace ferry_sql_hooks {

// kMysql only comes out of read_hook_options in a build with the connector
// (FERRY_SQL_HOOKS_MYSQL); otherwise "mysql" fails with a clear message.
enum class Driver { kSqlite, kPostgres, kMysql };

// The descriptor entries of the shared options, the same in every SQL hook
// (each hook adds its own "table_prefix", which names its tables).
inline constexpr FerryOptionSpec kDriverOptionSpec = {
    "driver", FERRY_OPTION_STRING, 0, "\"sqlite\"",
    "Database kind: \"sqlite\", \"postgres\" or \"mysql\" (MySQL / MariaDB; in builds with the mysql plugin)."};
inline constexpr FerryOptionSpec kPathOptionSpec = {
    "path", FERRY_OPTION_STRING, 0, nullptr,
    "sqlite (required): SQLite file, relative to the pipeline's directory; created if missing."};
inline constexpr FerryOptionSpec kDsnOptionSpec = {
    "dsn", FERRY_OPTION_STRING, FERRY_OPTION_SECRET, nullptr,
    "postgres, mysql (required): connection string or URI (libpq's; for mysql host=... port=... user=... "
    "password=... database=... or mysql://user:pass@host:port/db); tables are created if missing."};
inline constexpr FerryOptionSpec kBusyTimeoutOptionSpec = {
    "busy_timeout_ms", FERRY_OPTION_INT, 0, "5000",
    "How long to wait for another writer's lock before answering RETRY (postgres: lock_timeout; mysql: lock "
    "wait timeouts, rounded up to whole seconds)."};

struct HookOptions {
  Driver driver = Driver::kSqlite;
  std::string path;  // sqlite: as configured; resolved against base_dir by the hook
  std::string dsn;   // postgres / mysql: connection string or URI (a secret: may hold a password)
  std::string table_prefix = "ferry_";
  int busy_timeout_ms = 5000;
};

// Reads the shared options into `opts` and checks what the descriptor
// cannot say ("required for one driver").
void read_hook_options(const ferry::support::OptionReader& in, HookOptions& opts);

}  // namespace ferry_sql_hooks

#endif  // FERRY_PLUGINS_SQL_HOOK_COMMON_HOOK_OPTIONS_H_
