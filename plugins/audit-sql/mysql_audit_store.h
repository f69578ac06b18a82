// AuditStore on a MySQL / MariaDB database, through Connector/C++ 1.1.
// Built only with FERRY_SQL_HOOKS_MYSQL.
#ifndef FERRY_PLUGINS_AUDIT_SQL_MYSQL_AUDIT_STORE_H_
#define FERRY_PLUGINS_AUDIT_SQL_MYSQL_AUDIT_STORE_H_

#include <string>

#include "audit_store.h"
#include "../sql-hook-common/mysql_connection.h"
#include "options.h"

namespace ferry_audit_sql {

class MysqlAuditStore : public AuditStore {
 public:
  // Connects to opts.dsn and creates the tables if missing. Throws ferry::Error.
  explicit MysqlAuditStore(const Options& opts);
  void record(const FerryCheckpointEvent& event, int64_t committed_at_ms) override;

 private:
  // INSERT ... VALUES (9 parameters) x rows ... ON DUPLICATE KEY UPDATE (no change).
  std::string insert_sql(size_t rows) const;

  Granularity granularity_;
  std::string audit_table_;
  std::string stats_sql_;
  ferry_sql_hooks::MysqlConnection db_;
};

}  // namespace ferry_audit_sql

#endif  // FERRY_PLUGINS_AUDIT_SQL_MYSQL_AUDIT_STORE_H_
