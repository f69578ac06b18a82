// MySQL / MariaDB error code -> Ferry status, for every part of Ferry that
// talks to them (the mysql plugin, the SQL hooks).
#pragma once

#include <ferry/plugin.h>

namespace ferry::support {

FerryStatus status_of_mysql_error(int code);

// The connection is gone (refused, dropped, server shutting down): reconnect
// before trying again.
bool is_mysql_connection_loss(int code);

// The server rolled the transaction back (a deadlock, a lost connection):
// everything since BEGIN must be written again.
bool mysql_error_loses_transaction(int code);

}  // namespace ferry::support
