// Descriptor and entry point of the mariadb-cdc plugin.
#include <ferry/plugin.hpp>

#include <mysql.h>

#include "cdc_source.h"

namespace {

// Connector/C sets itself up once per process (mysql_library_init, run by
// the first connection) and keeps that until mysql_library_end. Ended when
// this plugin is unloaded, after its last connection is closed; ending
// twice (the mysql plugin's connector ends it too) does nothing.
struct ConnectorLifetime {
  ConnectorLifetime() { mysql_library_init(0, nullptr, nullptr); }
  ~ConnectorLifetime() { mysql_library_end(); }
  ConnectorLifetime(const ConnectorLifetime&) = delete;
  ConnectorLifetime& operator=(const ConnectorLifetime&) = delete;
};
const ConnectorLifetime kConnector;

const FerryOptionSpec kOptions[] = {
    {"host", FERRY_OPTION_STRING, 0, "\"127.0.0.1\"", "Server host name or address."},
    {"port", FERRY_OPTION_INT, 0, "3306", "Server TCP port."},
    {"socket", FERRY_OPTION_STRING, 0, nullptr, "Unix socket path; when set, used instead of host and port."},
    {"user", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr,
     "User name. It needs REPLICATION SLAVE (reading the binlog), BINLOG MONITOR (the binlog's position) and "
     "SELECT on the table."},
    {"password", FERRY_OPTION_STRING, FERRY_OPTION_SECRET, nullptr,
     "Password; never logged. Use ${VAR} to take it from the environment."},
    {"database", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr, "Database (schema) of the table."},
    {"table", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr,
     "Table to capture. It needs a primary key: changes are applied by key."},
    {"server_id", FERRY_OPTION_INT, FERRY_OPTION_REQUIRED, nullptr,
     "This reader's server id, 1 to 4294967295: unique among the server's replicas and binlog readers (the "
     "server ends an older stream with the same id)."},
    {"follow", FERRY_OPTION_BOOL, 0, "true",
     "true: stream changes until the run is stopped; false: end once every change committed before the "
     "stream started is read."},
    {"idle_ms", FERRY_OPTION_INT, 0, "500",
     "Heartbeat period of a quiet stream: the longest wait before the source checks for a stop request."},
};

const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SOURCE, 0,
     "Copies a MariaDB table at a consistent snapshot, then streams its inserts, updates and deletes from "
     "the binary log (ROW format); position = the GTID position after the last whole transaction.",
     kOptions, FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("mariadb-cdc", "0.1.0", "MariaDB change data capture (binary log)", kKinds)
FERRY_PLUGIN(ferry_maria_cdc::CdcSource)
