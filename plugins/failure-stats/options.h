// Options of the failure-stats backlog hook, parsed from the plugin's config JSON.
#ifndef FERRY_PLUGINS_FAILURE_STATS_OPTIONS_H_
#define FERRY_PLUGINS_FAILURE_STATS_OPTIONS_H_

#include <string>
#include <string_view>

namespace ferry_failure_stats {

// kMysql only in a build with the connector; see plugins/audit-sql/options.h.
enum class Driver { kSqlite, kPostgres, kMysql };

struct Options {
  Driver driver = Driver::kSqlite;
  std::string path;  // sqlite: as configured; resolved against base_dir by the hook
  std::string dsn;   // postgres / mysql: connection string or URI (a secret: may hold a password)
  std::string table_prefix = "ferry_";
  int busy_timeout_ms = 5000;
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the offending option.
Options parse_options(std::string_view config_json);

}  // namespace ferry_failure_stats

#endif  // FERRY_PLUGINS_FAILURE_STATS_OPTIONS_H_
