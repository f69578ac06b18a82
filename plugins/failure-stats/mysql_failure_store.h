// FailureStore on a MySQL / MariaDB database, through Connector/C++ 1.1.
// Built only with FERRY_SQL_HOOKS_MYSQL.
#ifndef FERRY_PLUGINS_FAILURE_STATS_MYSQL_FAILURE_STORE_H_
#define FERRY_PLUGINS_FAILURE_STATS_MYSQL_FAILURE_STORE_H_

#include <string>

#include "failure_store.h"
#include "../sql-hook-common/mysql_connection.h"
#include "options.h"

namespace ferry_failure_stats {

class MysqlFailureStore : public FailureStore {
 public:
  // Connects to opts.dsn and creates the tables if missing. Throws ferry::Error.
  explicit MysqlFailureStore(const Options& opts);
  void record(std::string_view pipeline, std::string_view sink,
              const std::vector<ClassCount>& counts, int64_t at_ms) override;

 private:
  std::string per_class_sql_;
  std::string totals_sql_;
  ferry_sql_hooks::MysqlConnection db_;
};

}  // namespace ferry_failure_stats

#endif  // FERRY_PLUGINS_FAILURE_STATS_MYSQL_FAILURE_STORE_H_
