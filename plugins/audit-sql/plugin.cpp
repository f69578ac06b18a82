// Descriptor and entry point of the audit-sql checkpoint hook.
#include <ferry/plugin.hpp>

#include "audit_hook.h"

namespace {

const FerryOptionSpec kOptions[] = {
    {"driver", FERRY_OPTION_STRING, 0, "\"sqlite\"",
     "Database kind: \"sqlite\", \"postgres\" or \"mysql\" (MySQL / MariaDB; in builds with "
     "the mysql plugin)."},
    {"path", FERRY_OPTION_STRING, 0, nullptr,
     "sqlite (required): SQLite file, relative to the pipeline's directory; created if missing."},
    {"dsn", FERRY_OPTION_STRING, FERRY_OPTION_SECRET, nullptr,
     "postgres, mysql (required): connection string or URI (libpq's; for mysql "
     "host=... port=... user=... password=... database=... or mysql://user:pass@host:port/db); "
     "tables are created if missing."},
    {"granularity", FERRY_OPTION_STRING, 0, "\"batch\"",
     "\"batch\": one audit row per committed batch; \"record\": one row per committed record "
     "with its key and position."},
    {"table_prefix", FERRY_OPTION_STRING, 0, "\"ferry_\"",
     "Prefix of the tables <prefix>audit and <prefix>pipeline_stats; [A-Za-z0-9_], up to 32."},
    {"busy_timeout_ms", FERRY_OPTION_INT, 0, "5000",
     "How long to wait for another writer's lock before answering RETRY (postgres: lock_timeout; "
     "mysql: lock wait timeouts, rounded up to whole seconds)."},
};

const FerryKindSpec kKinds[] = {
    {FERRY_KIND_CHECKPOINT_HOOK, 0,
     "Audits every commit into SQL tables (idempotent per batch or per record position).",
     kOptions, FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("audit-sql", "1.0.0", "Commit audit trail in SQL tables", kKinds)
FERRY_PLUGIN(ferry_audit_sql::AuditHook)
