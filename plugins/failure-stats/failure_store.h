// Where failure counts go. One implementation per driver.
#ifndef FERRY_PLUGINS_FAILURE_STATS_FAILURE_STORE_H_
#define FERRY_PLUGINS_FAILURE_STATS_FAILURE_STORE_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "failure_summary.h"

namespace ferry_failure_stats {

class FailureStore {
 public:
  virtual ~FailureStore() = default;
  // Adds one event's counts to the per-class and per-pipeline totals in one
  // transaction. Throws ferry::Error (RETRY when the database is busy).
  virtual void record(std::string_view pipeline, std::string_view sink,
                      const std::vector<ClassCount>& counts, int64_t at_ms) = 0;
};

}  // namespace ferry_failure_stats

#endif  // FERRY_PLUGINS_FAILURE_STATS_FAILURE_STORE_H_
