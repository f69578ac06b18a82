// The PostgreSQL connection shared with the other SQL hook (plugins/sql-hook-common).
#ifndef FERRY_PLUGINS_FAILURE_STATS_PG_CONNECTION_H_
#define FERRY_PLUGINS_FAILURE_STATS_PG_CONNECTION_H_

#include "../sql-hook-common/pg_connection.h"

namespace ferry_failure_stats {
using ferry_sql_hooks::PgConnection;
using ferry_sql_hooks::PgParams;
using ferry_sql_hooks::PgTransaction;
using ferry_sql_hooks::redact;
}  // namespace ferry_failure_stats

#endif  // FERRY_PLUGINS_FAILURE_STATS_PG_CONNECTION_H_
