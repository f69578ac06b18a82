// Where audit rows go: two tables, the same on every driver but for the
// dialect, written in one transaction per commit event.
#ifndef FERRY_PLUGINS_AUDIT_SQL_AUDIT_STORE_H_
#define FERRY_PLUGINS_AUDIT_SQL_AUDIT_STORE_H_

#include <ferry/plugin.h>

#include <cstdint>
#include <memory>
#include <string>

#include "../sql-hook-common/hook_db.h"
#include "options.h"

namespace ferry_audit_sql {

class AuditStore {
 public:
  // Creates the tables in `db` if missing. Throws ferry::Error.
  AuditStore(std::unique_ptr<ferry_sql_hooks::HookDb> db, const Options& opts);

  // Audits one commit event and updates the pipeline's stats in the same
  // transaction. Idempotent: an event delivered again (after a crash between
  // checkpoint and hook) adds nothing. Throws ferry::Error (RETRY when the
  // database is busy).
  void record(const FerryCheckpointEvent& event, int64_t committed_at_ms);

 private:
  struct Added {
    int64_t records = 0;
    int64_t batches = 0;
  };
  Added insert_batch_row(const FerryCheckpointEvent& e, int64_t at_ms);
  Added insert_record_rows(const FerryCheckpointEvent& e, int64_t at_ms);
  // Runs the INSERT of `rows` rows bound in `params`; the rows it added.
  int64_t insert(size_t rows, const ferry_sql_hooks::Params& params);

  std::unique_ptr<ferry_sql_hooks::HookDb> db_;
  Granularity granularity_;
  std::string audit_table_;
  size_t rows_per_insert_;
  ferry_sql_hooks::Sql full_insert_;  // of rows_per_insert_ rows
  ferry_sql_hooks::Sql stats_;
};

}  // namespace ferry_audit_sql

#endif  // FERRY_PLUGINS_AUDIT_SQL_AUDIT_STORE_H_
