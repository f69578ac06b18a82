// Options of the failure-stats backlog hook, from the typed options the host
// checked: only those every SQL hook has (sql-hook-common/hook_options.h).
#ifndef FERRY_PLUGINS_FAILURE_STATS_OPTIONS_H_
#define FERRY_PLUGINS_FAILURE_STATS_OPTIONS_H_

#include <string_view>

#include "../sql-hook-common/hook_options.h"

namespace ferry_failure_stats {

using Driver = ferry_sql_hooks::Driver;

struct Options : ferry_sql_hooks::HookOptions {};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the offending option.
Options parse_options(const ferry::Context& ctx);

}  // namespace ferry_failure_stats

#endif  // FERRY_PLUGINS_FAILURE_STATS_OPTIONS_H_
