// Options of the audit-sql checkpoint hook, parsed from the plugin's config JSON.
#ifndef FERRY_PLUGINS_AUDIT_SQL_OPTIONS_H_
#define FERRY_PLUGINS_AUDIT_SQL_OPTIONS_H_

#include <string>
#include <string_view>

namespace ferry_audit_sql {

// kMysql only comes out of parse_options in a build with the connector
// (FERRY_SQL_HOOKS_MYSQL); otherwise "mysql" fails with a clear message.
enum class Driver { kSqlite, kPostgres, kMysql };

enum class Granularity {
  kBatch,   // one audit row per committed batch, records = n
  kRecord,  // one audit row per committed record, with its key and position
};

struct Options {
  Driver driver = Driver::kSqlite;
  std::string path;  // sqlite: as configured; resolved against base_dir by the hook
  std::string dsn;   // postgres / mysql: connection string or URI (a secret: may hold a password)
  Granularity granularity = Granularity::kBatch;
  std::string table_prefix = "ferry_";
  int busy_timeout_ms = 5000;
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the offending option.
Options parse_options(std::string_view config_json);

}  // namespace ferry_audit_sql

#endif  // FERRY_PLUGINS_AUDIT_SQL_OPTIONS_H_
