#include "audit_hook.h"

#include <chrono>

#include "options.h"

namespace ferry_audit_sql {

void AuditHook::check_config(const ferry::Context& ctx) { parse_options(ctx); }

AuditHook::AuditHook(const ferry::Context& ctx) {
  const Options opts = parse_options(ctx);
  store_ = std::make_unique<AuditStore>(ferry_sql_hooks::open_hook_db(opts, ctx, "audit-sql"), opts);
}

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
