#include "failure_stats_hook.h"

#include <chrono>

#include "options.h"
#ifdef FERRY_SQL_HOOKS_MYSQL
#include "mysql_failure_store.h"
#endif
#include "pg_failure_store.h"
#include "sqlite_failure_store.h"

namespace ferry_failure_stats {
namespace {

std::unique_ptr<FailureStore> open_store(const Options& opts, const ferry::Context& ctx) {
  switch (opts.driver) {
    case Driver::kSqlite:
      return std::make_unique<SqliteFailureStore>(ctx.resolve_path(opts.path), opts);
    case Driver::kPostgres:
      return std::make_unique<PgFailureStore>(opts);
    case Driver::kMysql:
#ifdef FERRY_SQL_HOOKS_MYSQL
      return std::make_unique<MysqlFailureStore>(opts);
#else
      break;  // parse_options refuses "mysql" in this build
#endif
  }
  throw ferry::Error(FERRY_ERROR_INTERNAL, "failure-stats: unhandled driver");
}

}  // namespace

void FailureStatsHook::check_config(const ferry::Context& ctx) { parse_options(ctx); }

FailureStatsHook::FailureStatsHook(const ferry::Context& ctx)
    : store_(open_store(parse_options(ctx), ctx)) {}

FerryStatus FailureStatsHook::on_failure(const FerryBacklogEvent& event) {
  if (event.struct_size < sizeof(FerryBacklogEvent))
    throw ferry::Error(FERRY_ERROR_INTERNAL, "failure-stats: backlog event struct is too small");
  // When we saw the failure is bookkeeping, not data: the wall clock is fine.
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  store_->record(ferry::view(event.pipeline), ferry::view(event.sink), summarize(event), now_ms);
  return FERRY_OK;
}

}  // namespace ferry_failure_stats
