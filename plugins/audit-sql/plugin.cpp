// Descriptor and entry point of the audit-sql checkpoint hook.
#include <ferry/plugin.hpp>

#include "../sql-hook-common/hook_options.h"
#include "audit_hook.h"

namespace {

const FerryOptionSpec kOptions[] = {
    ferry_sql_hooks::kDriverOptionSpec,
    ferry_sql_hooks::kPathOptionSpec,
    ferry_sql_hooks::kDsnOptionSpec,
    {"granularity", FERRY_OPTION_STRING, 0, "\"batch\"",
     "\"batch\": one audit row per committed batch; \"record\": one row per committed record "
     "with its key and position."},
    {"table_prefix", FERRY_OPTION_STRING, 0, "\"ferry_\"",
     "Prefix of the tables <prefix>audit and <prefix>pipeline_stats; [A-Za-z0-9_], up to 32."},
    ferry_sql_hooks::kBusyTimeoutOptionSpec,
};

const FerryKindSpec kKinds[] = {
    {FERRY_KIND_CHECKPOINT_HOOK, 0,
     "Audits every commit into SQL tables (idempotent per batch or per record position).",
     kOptions, FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("audit-sql", "1.0.0", "Commit audit trail in SQL tables", kKinds)
FERRY_PLUGIN(ferry_audit_sql::AuditHook)
