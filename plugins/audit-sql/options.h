// Options of the audit-sql checkpoint hook, from the typed options the host checked.
#ifndef FERRY_PLUGINS_AUDIT_SQL_OPTIONS_H_
#define FERRY_PLUGINS_AUDIT_SQL_OPTIONS_H_

#include <string_view>

#include "../sql-hook-common/hook_options.h"

namespace ferry_audit_sql {

using Driver = ferry_sql_hooks::Driver;

enum class Granularity {
  kBatch,   // one audit row per committed batch, records = n
  kRecord,  // one audit row per committed record, with its key and position
};

// The options every SQL hook has, and the grain of its audit rows.
struct Options : ferry_sql_hooks::HookOptions {
  Granularity granularity = Granularity::kBatch;
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the offending option.
Options parse_options(const ferry::Context& ctx);

}  // namespace ferry_audit_sql

#endif  // FERRY_PLUGINS_AUDIT_SQL_OPTIONS_H_
