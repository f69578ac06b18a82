// Descriptor and entry point of the mysql plugin: a source and a
// transactional sink for MySQL and MariaDB.
#include <ferry/plugin.hpp>
#include <sql/schema_contract.h>

#include "mysql_sink.h"
#include "mysql_source.h"

namespace {

// `where`: FERRY_OPTION_DESTINATION for the sink, whose server, database and
// table name where it writes; 0 for the source.
#define FERRY_MYSQL_CONNECTION_OPTIONS(where)                                                  \
  {"host", FERRY_OPTION_STRING, (where), "\"127.0.0.1\"", "Server host name or address."},     \
      {"port", FERRY_OPTION_INT, (where), "3306", "Server TCP port."},                         \
      {"socket", FERRY_OPTION_STRING, (where), nullptr,                                        \
       "Unix socket path; when set, used instead of host and port."},                          \
      {"user", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr, "User name."},             \
      {"password", FERRY_OPTION_STRING, FERRY_OPTION_SECRET, nullptr,                          \
       "Password; never logged. Use ${VAR} to take it from the environment."},                 \
      {"database", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED | (where), nullptr,              \
       "Database (schema) of the table."}

const FerryOptionSpec kSourceOptions[] = {
    FERRY_MYSQL_CONNECTION_OPTIONS(0),
    {"table", FERRY_OPTION_STRING, 0, nullptr, "Table to read (or give 'query')."},
    {"query", FERRY_OPTION_STRING, 0, nullptr,
     "A SELECT to read instead of a table; needs 'cursor'."},
    {"cursor", FERRY_OPTION_ANY, 0, nullptr,
     "One or two columns, unique together and never NULL, to page by in keyset order; "
     "default: the table's primary key."},
    {"partitions", FERRY_OPTION_INT, 0, "1",
     "Split the integer range of 'partition_column' into this many partitions p0..p<n-1>. The "
     "first run plans the ranges; they are kept with the checkpoints until those are reset."},
    {"partition_column", FERRY_OPTION_STRING, 0, nullptr, "Integer column to partition by."},
    {"min", FERRY_OPTION_INT, 0, nullptr,
     "Low end of the partition range; read from the table when not given."},
    {"max", FERRY_OPTION_INT, 0, nullptr,
     "High end of the partition range; read from the table when not given."},
    {"incremental", FERRY_OPTION_BOOL, 0, "true",
     "Resume after the stored position; false reads everything on every run."},
};

const FerryOptionSpec kSinkOptions[] = {
    FERRY_MYSQL_CONNECTION_OPTIONS(FERRY_OPTION_DESTINATION | FERRY_OPTION_CHECKPOINTS),
    {"table", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED | FERRY_OPTION_DESTINATION, nullptr, "Target table."},
    {"mode", FERRY_OPTION_STRING, 0, "\"append\"",
     "\"append\" inserts every row; \"upsert\" inserts or updates on the table's unique key "
     "(ON DUPLICATE KEY UPDATE) and deletes by 'key'."},
    {"key", FERRY_OPTION_ANY, 0, nullptr,
     "Key column(s): the PRIMARY KEY of a created table and the match of deletes; default in "
     "upsert mode: the batch's key fields."},
    ferry::support::kCreateTableOptionSpec,
    ferry::support::kColumnsOptionSpec,
    ferry::support::kSchemaChangesOptionSpec,
    {"checkpoint_table", FERRY_OPTION_STRING, FERRY_OPTION_CHECKPOINTS, "\"ferry_checkpoints\"",
     "Table holding the checkpoints, committed with the data."},
    {"rows_per_statement", FERRY_OPTION_INT, 0, "1000", "Rows per multi-row INSERT."},
    {"load_data", FERRY_OPTION_BOOL, 0, "true",
     "In append mode, send each batch as LOAD DATA LOCAL INFILE from memory (the server's fast "
     "path); a batch the server warns about, or one with double or bytes values, goes as INSERT. "
     "Needs local_infile on the server (else INSERT throughout); false: always INSERT."},
};

#undef FERRY_MYSQL_CONNECTION_OPTIONS

const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SOURCE, 0,
     "Reads a MySQL/MariaDB table or query in keyset order; position = last cursor values.",
     kSourceOptions, FERRY_COUNT_OF(kSourceOptions)},
    {FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL | FERRY_CAP_FENCED,
     "Writes rows to a MySQL/MariaDB table; rows and checkpoint commit in one transaction, refused once a "
     "newer worker fenced the partition.",
     kSinkOptions, FERRY_COUNT_OF(kSinkOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("mysql", "1.0.0", "MySQL / MariaDB source and sink (exactly-once)", kKinds)
FERRY_PLUGIN(ferry_mysql::MysqlSource, ferry_mysql::MysqlSink)
