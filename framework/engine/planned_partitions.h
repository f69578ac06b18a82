// The partitions a run reads. A source that plans with descriptors (ABI
// 1.5) plans once: the plan is stored with the pipeline's state and every
// instance of this run, and every later run, reads the partitions as
// planned then, so partitions computed from live data (a key range's
// bounds) cannot drift apart between instances or runs, which would read
// rows twice or not at all. A source of names alone is asked each time.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "state/state_store.h"

namespace ferry::core {

class RunContext;
class SourceInstance;

class PlannedPartitions {
 public:
  // The partitions to read, listed with `source`. A describing source's
  // plan is settled by the first call of the run: the stored plan when the
  // source still plans the same partitions, else the new one (stored,
  // unless a dry run) — refused when checkpoints of the stored plan exist.
  std::vector<std::string> list(RunContext& run, SourceInstance& source);
  // A worker joining a round another worker planned: the stored plan's
  // descriptors, when it has the round's partitions (a source of names
  // stores none).
  void adopt(RunContext& run, const std::vector<std::string>& names);
  // The descriptor of `partition` in the settled plan; none for a source of names.
  std::optional<std::string> descriptor(const std::string& partition) const;

 private:
  std::vector<PlannedPartition> settle(RunContext& run, std::vector<PlannedPartition> fresh);
  // Under mu_: the run's plan from now on.
  void keep(std::vector<PlannedPartition> plan);

  mutable std::mutex mu_;
  std::optional<std::vector<PlannedPartition>> plan_;
  std::map<std::string, std::string> descriptors_;
};

}  // namespace ferry::core
