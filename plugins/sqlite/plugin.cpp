// Descriptor and entry point of the SQLite sink plugin.
#include <ferry/plugin.hpp>
#include <sql/schema_contract.h>

#include "sqlite_sink.h"

namespace {

const FerryOptionSpec kOptions[] = {
    {"path", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED | FERRY_OPTION_DESTINATION | FERRY_OPTION_PATH, nullptr,
     "Database file, relative to the pipeline's directory; created if missing."},
    // Not a destination option: the sink takes a database file alone, so two
    // sinks on one file are refused whatever their tables.
    {"table", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr, "Target table."},
    {"mode", FERRY_OPTION_STRING, 0, "\"append\"",
     "\"append\" inserts every row (deletes are rejected); \"upsert\" inserts or updates by "
     "`key` and deletes by it."},
    {"key", FERRY_OPTION_ARRAY, 0, nullptr,
     "Key columns: required for upsert; the PRIMARY KEY of a table the sink creates."},
    ferry::support::kCreateTableOptionSpec,
    ferry::support::kColumnsOptionSpec,
    ferry::support::kSchemaChangesOptionSpec,
    {"synchronous", FERRY_OPTION_STRING, 0, "\"full\"",
     "\"full\" survives power loss; \"normal\" is faster and may lose the last commits on "
     "power loss (never corrupts; never on a process crash)."},
    {"busy_timeout_ms", FERRY_OPTION_INT, 0, "5000",
     "How long to wait for another writer's lock before answering RETRY."},
};

const FerryKindSpec kKinds[] = {
    // SQLite takes one writer per database: the host funnels every worker's
    // batches through one instance rather than have them wait for its lock.
    {FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL | FERRY_CAP_SINGLE_WRITER,
     "Writes rows to a SQLite table; rows and checkpoint commit in one transaction.", kOptions,
     FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("sqlite", "1.0.0", "SQLite sink (exactly-once)", kKinds)
FERRY_PLUGIN(ferry_sqlite::SqliteSink)
