// Descriptor and entry point of the failure-stats backlog hook.
#include <ferry/plugin.hpp>

#include "../sql-hook-common/hook_options.h"
#include "failure_stats_hook.h"

namespace {

const FerryOptionSpec kOptions[] = {
    ferry_sql_hooks::kDriverOptionSpec,
    ferry_sql_hooks::kPathOptionSpec,
    ferry_sql_hooks::kDsnOptionSpec,
    {"table_prefix", FERRY_OPTION_STRING, 0, "\"ferry_\"",
     "Prefix of the tables <prefix>failure_stats and <prefix>failure_totals; [A-Za-z0-9_], "
     "up to 32."},
    ferry_sql_hooks::kBusyTimeoutOptionSpec,
};

const FerryKindSpec kKinds[] = {
    {FERRY_KIND_BACKLOG_HOOK, 0,
     "Counts failed records per pipeline, sink and error class in SQL tables.", kOptions,
     FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("failure-stats", "1.0.0", "Failure counters in SQL tables", kKinds)
FERRY_PLUGIN(ferry_failure_stats::FailureStatsHook)
