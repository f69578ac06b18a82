// Groups the failed rows of a backlog event by error class.
#ifndef FERRY_PLUGINS_FAILURE_STATS_FAILURE_SUMMARY_H_
#define FERRY_PLUGINS_FAILURE_STATS_FAILURE_SUMMARY_H_

#include <ferry/plugin.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ferry_failure_stats {

struct ClassCount {
  std::string error_class;  // "invalid_data", "retry", ... (the host's DLQ names)
  int64_t failures = 0;
  std::string last_message;
};

// The name the host uses for `status` in the DLQ and logs.
std::string class_name(FerryStatus status);

// One entry per error class among the failed rows, in order of first
// appearance. Rows whose outcome carries no class take the event's; an event
// without rows still yields its class with 0 failures, so that the time and
// message of the failure are kept.
std::vector<ClassCount> summarize(const FerryBacklogEvent& event);

}  // namespace ferry_failure_stats

#endif  // FERRY_PLUGINS_FAILURE_STATS_FAILURE_SUMMARY_H_
