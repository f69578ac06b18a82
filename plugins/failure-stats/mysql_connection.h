// The MySQL / MariaDB wrapper shared with the other SQL hook
// (plugins/sql-hook-common). Built only with FERRY_SQL_HOOKS_MYSQL.
#ifndef FERRY_PLUGINS_FAILURE_STATS_MYSQL_CONNECTION_H_
#define FERRY_PLUGINS_FAILURE_STATS_MYSQL_CONNECTION_H_

#include "../sql-hook-common/mysql_connection.h"

namespace ferry_failure_stats {
using ferry_sql_hooks::MysqlConnection;
using ferry_sql_hooks::MysqlParams;
using ferry_sql_hooks::MysqlTransaction;
using ferry_sql_hooks::quote_mysql_ident;
}  // namespace ferry_failure_stats

#endif  // FERRY_PLUGINS_FAILURE_STATS_MYSQL_CONNECTION_H_
