// FailureStore on a PostgreSQL database, through libpq.
#ifndef FERRY_PLUGINS_FAILURE_STATS_PG_FAILURE_STORE_H_
#define FERRY_PLUGINS_FAILURE_STATS_PG_FAILURE_STORE_H_

#include <string>

#include "failure_store.h"
#include "options.h"
#include "../sql-hook-common/pg_connection.h"

namespace ferry_failure_stats {

class PgFailureStore : public FailureStore {
 public:
  // Connects to opts.dsn and creates the tables if missing. Throws ferry::Error.
  explicit PgFailureStore(const Options& opts);
  void record(std::string_view pipeline, std::string_view sink,
              const std::vector<ClassCount>& counts, int64_t at_ms) override;

 private:
  std::string per_class_sql_;
  std::string totals_sql_;
  ferry_sql_hooks::PgConnection db_;
};

}  // namespace ferry_failure_stats

#endif  // FERRY_PLUGINS_FAILURE_STATS_PG_FAILURE_STORE_H_
