// AuditStore on a PostgreSQL database, through libpq.
#ifndef FERRY_PLUGINS_AUDIT_SQL_PG_AUDIT_STORE_H_
#define FERRY_PLUGINS_AUDIT_SQL_PG_AUDIT_STORE_H_

#include <string>

#include "audit_store.h"
#include "options.h"
#include "../sql-hook-common/pg_connection.h"

namespace ferry_audit_sql {

class PgAuditStore : public AuditStore {
 public:
  // Connects to opts.dsn and creates the tables if missing. Throws ferry::Error.
  explicit PgAuditStore(const Options& opts);
  void record(const FerryCheckpointEvent& event, int64_t committed_at_ms) override;

 private:
  // INSERT ... VALUES (9 parameters) x rows ... ON CONFLICT DO NOTHING.
  std::string insert_sql(size_t rows) const;

  Granularity granularity_;
  std::string audit_table_;
  std::string stats_sql_;
  ferry_sql_hooks::PgConnection db_;
};

}  // namespace ferry_audit_sql

#endif  // FERRY_PLUGINS_AUDIT_SQL_PG_AUDIT_STORE_H_
