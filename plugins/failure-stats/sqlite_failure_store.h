// FailureStore on a SQLite file.
#ifndef FERRY_PLUGINS_FAILURE_STATS_SQLITE_FAILURE_STORE_H_
#define FERRY_PLUGINS_FAILURE_STATS_SQLITE_FAILURE_STORE_H_

#include <string>

#include "../sql-hook-common/database.h"
#include "failure_store.h"
#include "options.h"

namespace ferry_failure_stats {

class SqliteFailureStore : public FailureStore {
 public:
  // Opens `path` and creates the tables if missing. Throws ferry::Error.
  SqliteFailureStore(const std::string& path, const Options& opts);
  void record(std::string_view pipeline, std::string_view sink,
              const std::vector<ClassCount>& counts, int64_t at_ms) override;

 private:
  ferry_sql_hooks::Database db_;
  ferry_sql_hooks::Statement per_class_;
  ferry_sql_hooks::Statement totals_;
};

}  // namespace ferry_failure_stats

#endif  // FERRY_PLUGINS_FAILURE_STATS_SQLITE_FAILURE_STORE_H_
