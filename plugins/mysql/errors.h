// How a MySQL / MariaDB error code maps to Ferry's status classes.
#ifndef FERRY_PLUGINS_MYSQL_ERRORS_H_
#define FERRY_PLUGINS_MYSQL_ERRORS_H_

#include <ferry/plugin.h>

namespace ferry_mysql {

// RETRY: the server or the connection is (perhaps briefly) unavailable, or
// the transaction lost a lock race. INVALID_DATA: this row is bad and stays
// bad (the host bisects the batch to find it). AUTH / CONFIG: the run cannot
// succeed until a person changes something. Everything else is IO (fatal).
FerryStatus classify(int code);

// After these the connection is unusable: reconnect before the next call.
bool is_connection_loss(int code);

// After these the server has rolled back the whole open transaction (not
// only the failed statement), so rows staged earlier are gone.
bool loses_transaction(int code);

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_ERRORS_H_
