// Where failure counts go: two tables, the same on every driver but for
// the dialect, updated in one transaction per backlog event.
#ifndef FERRY_PLUGINS_FAILURE_STATS_FAILURE_STORE_H_
#define FERRY_PLUGINS_FAILURE_STATS_FAILURE_STORE_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "../sql-hook-common/hook_db.h"
#include "failure_summary.h"
#include "options.h"

namespace ferry_failure_stats {

class FailureStore {
 public:
  // Creates the tables in `db` if missing. Throws ferry::Error.
  FailureStore(std::unique_ptr<ferry_sql_hooks::HookDb> db, const Options& opts);

  // Adds one event's counts to the per-class and per-pipeline totals in one
  // transaction. Throws ferry::Error (RETRY when the database is busy).
  void record(std::string_view pipeline, std::string_view sink, const std::vector<ClassCount>& counts,
              int64_t at_ms);

 private:
  std::unique_ptr<ferry_sql_hooks::HookDb> db_;
  ferry_sql_hooks::Sql per_class_;
  ferry_sql_hooks::Sql totals_;
};

}  // namespace ferry_failure_stats

#endif  // FERRY_PLUGINS_FAILURE_STATS_FAILURE_STORE_H_
