// The audit-sql checkpoint hook: records what each commit acknowledged.
#ifndef FERRY_PLUGINS_AUDIT_SQL_AUDIT_HOOK_H_
#define FERRY_PLUGINS_AUDIT_SQL_AUDIT_HOOK_H_

#include <ferry/plugin.hpp>
#include <memory>

#include "audit_store.h"

namespace ferry_audit_sql {

// Thread-safety: one instance is called by one thread at a time (ABI rule 4);
// instances share nothing.
class AuditHook : public ferry::CheckpointHook {
 public:
  explicit AuditHook(const ferry::Context& ctx);
  // The configuration as the constructor reads it, without connecting (ABI 1.3).
  static void check_config(const ferry::Context& ctx);
  FerryStatus on_commit(const FerryCheckpointEvent& event) override;

 private:
  std::unique_ptr<AuditStore> store_;
};

}  // namespace ferry_audit_sql

#endif  // FERRY_PLUGINS_AUDIT_SQL_AUDIT_HOOK_H_
