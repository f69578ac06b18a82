#include "failure_stats_hook.h"

#include <chrono>

#include "options.h"

namespace ferry_failure_stats {

void FailureStatsHook::check_config(const ferry::Context& ctx) { parse_options(ctx); }

FailureStatsHook::FailureStatsHook(const ferry::Context& ctx) {
  const Options opts = parse_options(ctx);
  store_ = std::make_unique<FailureStore>(ferry_sql_hooks::open_hook_db(opts, ctx, "failure-stats"), opts);
}

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
