// The failure-stats backlog hook: counts what each failed write lost.
#ifndef FERRY_PLUGINS_FAILURE_STATS_FAILURE_STATS_HOOK_H_
#define FERRY_PLUGINS_FAILURE_STATS_FAILURE_STATS_HOOK_H_

#include <ferry/plugin.hpp>
#include <memory>

#include "failure_store.h"

namespace ferry_failure_stats {

// Thread-safety: one instance is called by one thread at a time (ABI rule 4);
// instances share nothing.
class FailureStatsHook : public ferry::BacklogHook {
 public:
  explicit FailureStatsHook(const ferry::Context& ctx);
  // The configuration as the constructor reads it, without connecting (ABI 1.3).
  static void check_config(const ferry::Context& ctx);
  FerryStatus on_failure(const FerryBacklogEvent& event) override;

 private:
  std::unique_ptr<FailureStore> store_;
};

}  // namespace ferry_failure_stats

#endif  // FERRY_PLUGINS_FAILURE_STATS_FAILURE_STATS_HOOK_H_
