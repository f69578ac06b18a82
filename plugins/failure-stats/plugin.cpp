// Descriptor and entry point of the failure-stats backlog hook.
#include <ferry/plugin.hpp>

#include "failure_stats_hook.h"

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
    {"table_prefix", FERRY_OPTION_STRING, 0, "\"ferry_\"",
     "Prefix of the tables <prefix>failure_stats and <prefix>failure_totals; [A-Za-z0-9_], "
     "up to 32."},
    {"busy_timeout_ms", FERRY_OPTION_INT, 0, "5000",
     "How long to wait for another writer's lock before answering RETRY (postgres: lock_timeout; "
     "mysql: lock wait timeouts, rounded up to whole seconds)."},
};

const FerryKindSpec kKinds[] = {
    {FERRY_KIND_BACKLOG_HOOK, 0,
     "Counts failed records per pipeline, sink and error class in SQL tables.", kOptions,
     FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("failure-stats", "1.0.0", "Failure counters in SQL tables", kKinds)
FERRY_PLUGIN(ferry_failure_stats::FailureStatsHook)
