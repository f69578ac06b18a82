// The PostgreSQL connection shared with the other SQL hook (plugins/sql-hook-common).
#ifndef FERRY_PLUGINS_AUDIT_SQL_PG_CONNECTION_H_
#define FERRY_PLUGINS_AUDIT_SQL_PG_CONNECTION_H_

#include "../sql-hook-common/pg_connection.h"

namespace ferry_audit_sql {
using ferry_sql_hooks::PgConnection;
using ferry_sql_hooks::PgParams;
using ferry_sql_hooks::PgTransaction;
using ferry_sql_hooks::redact;
}  // namespace ferry_audit_sql

#endif  // FERRY_PLUGINS_AUDIT_SQL_PG_CONNECTION_H_
