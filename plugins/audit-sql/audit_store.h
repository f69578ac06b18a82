// Where audit rows go. One implementation per driver; the hook only sees
// this interface, so adding PostgreSQL or MySQL means adding a store.
#ifndef FERRY_PLUGINS_AUDIT_SQL_AUDIT_STORE_H_
#define FERRY_PLUGINS_AUDIT_SQL_AUDIT_STORE_H_

#include <ferry/plugin.h>

#include <cstdint>

namespace ferry_audit_sql {

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // Audits one commit event and updates the pipeline's stats in the same
  // transaction. Idempotent: an event delivered again (after a crash between
  // checkpoint and hook) adds nothing. Throws ferry::Error (RETRY when the
  // database is busy).
  virtual void record(const FerryCheckpointEvent& event, int64_t committed_at_ms) = 0;
};

}  // namespace ferry_audit_sql

#endif  // FERRY_PLUGINS_AUDIT_SQL_AUDIT_STORE_H_
