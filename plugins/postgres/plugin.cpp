// Descriptor and entry point of the PostgreSQL plugin (source + sink).
#include <ferry/plugin.hpp>
#include <sql/schema_contract.h>

#include "postgres_sink.h"
#include "postgres_source.h"

namespace {

constexpr const char* kDsnHelp =
    "libpq connection string or URI (host=.. port=.. dbname=.. user=.. password=.., or "
    "postgresql://user:pass@host:5432/db). Use ${ENV} for the password; it is never logged.";

const FerryOptionSpec kSourceOptions[] = {
    {"dsn", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED | FERRY_OPTION_SECRET, nullptr, kDsnHelp},
    {"table", FERRY_OPTION_STRING, 0, nullptr,
     "Table to read (schema.table allowed); exactly one of table and query."},
    {"query", FERRY_OPTION_STRING, 0, nullptr,
     "SELECT to read instead of a table; cursor and partition columns refer to its output."},
    {"cursor", FERRY_OPTION_ARRAY, FERRY_OPTION_REQUIRED, nullptr,
     "One or two NOT NULL columns whose values order the rows uniquely, e.g. [\"id\"] or "
     "[\"updated_at\", \"id\"]. Rows are read in this order; the position is the last row's values."},
    {"key", FERRY_OPTION_ARRAY, 0, nullptr, "Record key columns; default: the cursor columns."},
    {"partitions", FERRY_OPTION_INT, 0, "1",
     "Split partition_column's integer range into this many partitions p0..p<n-1>, each with "
     "its own checkpoint. The first run plans the ranges; they are kept with the checkpoints "
     "until those are reset."},
    {"partition_column", FERRY_OPTION_STRING, 0, nullptr,
     "Integer column to partition on; required when partitions > 1."},
    {"min", FERRY_OPTION_INT, 0, nullptr,
     "Lower end of the partition range; default SELECT min(partition_column)."},
    {"max", FERRY_OPTION_INT, 0, nullptr,
     "Upper end of the partition range; default SELECT max(partition_column)."},
    {"incremental", FERRY_OPTION_BOOL, 0, "true",
     "Resume after the stored cursor (a later run reads only new rows); false re-reads the "
     "whole table on every run."},
};

const FerryOptionSpec kSinkOptions[] = {
    {"dsn", FERRY_OPTION_STRING,
     FERRY_OPTION_REQUIRED | FERRY_OPTION_SECRET | FERRY_OPTION_DESTINATION | FERRY_OPTION_CHECKPOINTS, nullptr,
     kDsnHelp},
    {"table", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED | FERRY_OPTION_DESTINATION, nullptr,
     "Target table (schema.table allowed; names are case-sensitive)."},
    {"mode", FERRY_OPTION_STRING, 0, "\"append\"",
     "\"append\" COPYs every row (deletes are rejected); \"upsert\" merges by `key` "
     "(INSERT .. ON CONFLICT DO UPDATE) and deletes by it."},
    {"key", FERRY_OPTION_ARRAY, 0, nullptr,
     "Key columns: required for upsert (needs a unique index on them); the PRIMARY KEY of a "
     "table the sink creates."},
    ferry::support::kCreateTableOptionSpec,
    ferry::support::kColumnsOptionSpec,
    ferry::support::kSchemaChangesOptionSpec,
    {"checkpoint_table", FERRY_OPTION_STRING, FERRY_OPTION_CHECKPOINTS, "\"ferry_checkpoints\"",
     "Table holding the checkpoints committed with the data (created if missing)."},
    {"copy_format", FERRY_OPTION_STRING, 0, "\"auto\"",
     "\"auto\": in append mode, COPY in binary when every value of a batch maps exactly onto "
     "its column's type (much less parsing for the server), else text; \"text\": always text."},
};

const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SOURCE, 0,
     "Reads a table or query in keyset order (never OFFSET); position = last cursor values.",
     kSourceOptions, FERRY_COUNT_OF(kSourceOptions)},
    {FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL | FERRY_CAP_FENCED,
     "Writes with COPY (append) or COPY + INSERT .. ON CONFLICT (upsert); rows and checkpoint "
     "commit in one transaction, refused once a newer worker fenced the partition.",
     kSinkOptions, FERRY_COUNT_OF(kSinkOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("postgres", "1.0.0", "PostgreSQL source and sink (exactly-once)", kKinds)
FERRY_PLUGIN(ferry_pg::PostgresSource, ferry_pg::PostgresSink)
