// Options of the audit-sql checkpoint hook, parsed from the plugin's config JSON.
#ifndef FERRY_PLUGINS_AUDIT_SQL_OPTIONS_H_
#define FERRY_PLUGINS_AUDIT_SQL_OPTIONS_H_

#include <string>
#include <string_view>

namespace ferry_audit_sql {

// Only SQLite is built today; the option exists so that pipelines naming a
// server database later fail with a clear message instead of "unknown option".
enum class Driver { kSqlite };

enum class Granularity {
  kBatch,   // one audit row per committed batch, records = n
  kRecord,  // one audit row per committed record, with its key and position
};

struct Options {
  Driver driver = Driver::kSqlite;
  std::string path;  // as configured; resolved against base_dir by the hook
  Granularity granularity = Granularity::kBatch;
  std::string table_prefix = "ferry_";
  int busy_timeout_ms = 5000;
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the offending option.
Options parse_options(std::string_view config_json);

}  // namespace ferry_audit_sql

#endif  // FERRY_PLUGINS_AUDIT_SQL_OPTIONS_H_
