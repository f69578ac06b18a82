// Descriptor and entry point of the postgres-cdc plugin.
#include <ferry/plugin.hpp>

#include "cdc_source.h"

namespace {

const FerryOptionSpec kOptions[] = {
    {"dsn", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED | FERRY_OPTION_SECRET, nullptr,
     "libpq connection string or URI of the source database. The role needs REPLICATION (or "
     "superuser), SELECT on the table, and ownership of it when the publication must be created. "
     "Use ${ENV} for the password; it is never logged."},
    {"table", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr,
     "Table to capture (schema.table allowed). It needs a primary key: changes are applied by key."},
    {"slot", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr,
     "Logical replication slot (a-z, 0-9, _). Created on the first run with the snapshot the table "
     "is copied at; it holds the WAL Ferry has not yet committed everywhere, so drop it "
     "(pg_drop_replication_slot) when the pipeline is retired."},
    {"publication", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr,
     "Publication that publishes the table; created FOR TABLE <table> when missing."},
    {"follow", FERRY_OPTION_BOOL, 0, "true",
     "true: stream changes until the run is stopped; false: end once every change committed "
     "before the stream started is read."},
    {"idle_ms", FERRY_OPTION_INT, 0, "500",
     "Longest wait for a change before the source checks for a stop request."},
};

const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SOURCE, 0,
     "Copies a table at a replication slot's snapshot, then streams its inserts, updates and "
     "deletes (pgoutput); position = the LSN at the end of the last whole transaction.",
     kOptions, FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("postgres-cdc", "0.1.0", "PostgreSQL change data capture (logical replication)", kKinds)
FERRY_PLUGIN(ferry_pg_cdc::CdcSource)
