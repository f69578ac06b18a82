#include "hook_db.h"

namespace ferry_sql_hooks {

std::unique_ptr<HookDb> open_hook_db(const HookOptions& opts, const ferry::Context& ctx, const std::string& label) {
  switch (opts.driver) {
    case Driver::kSqlite:
      return open_sqlite_hook_db(ctx.resolve_path(opts.path), opts, label);
    case Driver::kPostgres:
      return open_pg_hook_db(opts, label);
    case Driver::kMysql:
#ifdef FERRY_SQL_HOOKS_MYSQL
      return open_mysql_hook_db(opts, label);
#else
      break;  // read_hook_options refuses "mysql" in this build
#endif
  }
  throw ferry::Error(FERRY_ERROR_INTERNAL, label + ": unhandled driver");
}

}  // namespace ferry_sql_hooks
