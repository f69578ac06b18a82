// The SQLite connection shared with the other SQL hook (plugins/sql-hook-common).
#ifndef FERRY_PLUGINS_AUDIT_SQL_DATABASE_H_
#define FERRY_PLUGINS_AUDIT_SQL_DATABASE_H_

#include "../sql-hook-common/database.h"

namespace ferry_audit_sql {
using ferry_sql_hooks::bind_blob;
using ferry_sql_hooks::bind_text;
using ferry_sql_hooks::quote_ident;
using ferry_sql_hooks::Database;
using ferry_sql_hooks::hook_database_options;
using ferry_sql_hooks::Statement;
using ferry_sql_hooks::Transaction;
}  // namespace ferry_audit_sql

#endif  // FERRY_PLUGINS_AUDIT_SQL_DATABASE_H_
