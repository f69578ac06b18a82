#include "audit_hook.h"

#include <chrono>

#include "options.h"
#ifdef FERRY_SQL_HOOKS_MYSQL
#include "mysql_audit_store.h"
#endif
#include "pg_audit_store.h"
#include "sqlite_audit_store.h"

namespace ferry_audit_sql {
namespace {

std::unique_ptr<AuditStore> open_store(const Options& opts, const ferry::Context& ctx) {
  switch (opts.driver) {
    case Driver::kSqlite:
      return std::make_unique<SqliteAuditStore>(ctx.resolve_path(opts.path), opts);
    case Driver::kPostgres:
      return std::make_unique<PgAuditStore>(opts);
    case Driver::kMysql:
#ifdef FERRY_SQL_HOOKS_MYSQL
      return std::make_unique<MysqlAuditStore>(opts);
#else
      break;  // parse_options refuses "mysql" in this build
#endif
  }
  throw ferry::Error(FERRY_ERROR_INTERNAL, "audit-sql: unhandled driver");
}

}  // namespace

void AuditHook::check_config(const ferry::Context& ctx) { parse_options(ctx); }

AuditHook::AuditHook(const ferry::Context& ctx)
    : store_(open_store(parse_options(ctx), ctx)) {}

FerryStatus AuditHook::on_commit(const FerryCheckpointEvent& event) {
  if (event.struct_size < sizeof(FerryCheckpointEvent))
    throw ferry::Error(FERRY_ERROR_INTERNAL, "audit-sql: checkpoint event struct is too small");
  // An audit timestamp says when we saw the commit, which is bookkeeping,
  // not data: the wall clock is the right source here.
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  store_->record(event, now_ms);
  return FERRY_OK;
}

}  // namespace ferry_audit_sql
