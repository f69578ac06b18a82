// The `dsn` of the SQL hooks' mysql driver: where and as whom to connect.
//
// Two spellings, like libpq's, with the option names of Ferry's mysql plugin:
//   host=db.internal port=3306 user=ferry password=secret database=etl
//   mysql://ferry:secret@db.internal:3306/etl
// Keyword values may be single-quoted ('a b', with \' and \\ escapes); URI
// parts are percent-decoded, and take `socket` and `connect_timeout` as
// query parameters (mysql://ferry@localhost/etl?socket=/run/mysqld/mysqld.sock).
#ifndef FERRY_PLUGINS_SQL_HOOK_COMMON_MYSQL_DSN_H_
#define FERRY_PLUGINS_SQL_HOOK_COMMON_MYSQL_DSN_H_

#include <string>
#include <string_view>

#include "mysql/mysql_session.h"

namespace ferry_sql_hooks {

using MysqlDsn = ferry::support::mysql::Endpoint;

// Throws ferry::Error(FERRY_ERROR_CONFIG) starting with `label`; the message
// names the offending key but never quotes a value.
MysqlDsn parse_mysql_dsn(std::string_view dsn, const std::string& label);

}  // namespace ferry_sql_hooks

#endif  // FERRY_PLUGINS_SQL_HOOK_COMMON_MYSQL_DSN_H_
