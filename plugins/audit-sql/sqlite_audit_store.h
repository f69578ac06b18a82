// AuditStore on a SQLite file.
#ifndef FERRY_PLUGINS_AUDIT_SQL_SQLITE_AUDIT_STORE_H_
#define FERRY_PLUGINS_AUDIT_SQL_SQLITE_AUDIT_STORE_H_

#include <string>

#include "audit_store.h"
#include "../sql-hook-common/database.h"
#include "options.h"

namespace ferry_audit_sql {

class SqliteAuditStore : public AuditStore {
 public:
  // Opens `path` and creates the tables if missing. Throws ferry::Error.
  SqliteAuditStore(const std::string& path, const Options& opts);
  void record(const FerryCheckpointEvent& event, int64_t committed_at_ms) override;

 private:
  Granularity granularity_;
  ferry_sql_hooks::Database db_;
  ferry_sql_hooks::Statement insert_;
  ferry_sql_hooks::Statement stats_;
};

}  // namespace ferry_audit_sql

#endif  // FERRY_PLUGINS_AUDIT_SQL_SQLITE_AUDIT_STORE_H_
