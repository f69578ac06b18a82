#include "engine/planned_partitions.h"

#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "engine/plugin_instances.h"
#include "engine/replay_reader.h"
#include "engine/run_context.h"

namespace ferry::core {
namespace {

std::vector<std::string> names_of(const std::vector<PlannedPartition>& plan) {
  std::vector<std::string> names;
  for (const PlannedPartition& p : plan) names.push_back(p.name);
  return names;
}

// "p0, p1, p2", or "p0, p1, p2, p3, ... (12 in all)".
std::string listed(const std::vector<PlannedPartition>& plan) {
  constexpr size_t kShown = 4;
  std::string out;
  for (size_t i = 0; i < plan.size() && i < kShown; ++i) out += (i ? ", " : "") + plan[i].name;
  if (plan.size() > kShown) out += ", ... (" + std::to_string(plan.size()) + " in all)";
  return out;
}

// Replays keep their commits, intents and sinks' checkpoints under
// partition "ferry-replay": a source partition of that name would share
// them, and a run would resume from a replay's token.
std::vector<std::string> without_reserved(std::vector<std::string> names) {
  for (const std::string& n : names)
    if (n == kReplayPartition)
      throw Error("the source lists a partition named '" + n + "', a name Ferry keeps for replays (their commits "
                  "are stored under it); rename that input");
  return names;
}

}  // namespace

std::vector<std::string> PlannedPartitions::list(RunContext& run, SourceInstance& source) {
  std::lock_guard<std::mutex> lock(mu_);
  if (plan_) return names_of(*plan_);
  std::optional<std::vector<PlannedPartition>> described = source.describe();
  if (!described) return without_reserved(source.partitions());
  without_reserved(names_of(*described));
  keep(settle(run, std::move(*described)));
  return names_of(*plan_);
}

void PlannedPartitions::adopt(RunContext& run, const std::vector<std::string>& names) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<PlannedPartition> stored = run.state.load_partition_plan(run.def.name, "");
  if (stored.empty()) return;
  if (names_of(stored) != names)
    throw Error("pipeline '" + run.def.name + "': the round in progress reads partitions the stored plan does not "
                "have (" + listed(stored) + "); a reset while workers ran? Stop every worker and run again");
  keep(std::move(stored));
}

void PlannedPartitions::keep(std::vector<PlannedPartition> plan) {
  for (const PlannedPartition& p : plan) descriptors_[p.name] = p.descriptor;
  plan_ = std::move(plan);
}

std::optional<std::string> PlannedPartitions::descriptor(const std::string& partition) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = descriptors_.find(partition);
  if (it == descriptors_.end()) return std::nullopt;
  return it->second;
}

std::vector<PlannedPartition> PlannedPartitions::settle(RunContext& run, std::vector<PlannedPartition> fresh) {
  const std::string& pipeline = run.def.name;
  const std::string scope = run.options.window ? run.options.window->name : "";
  std::vector<PlannedPartition> stored = run.state.load_partition_plan(pipeline, scope);
  if (!stored.empty() && names_of(stored) == names_of(fresh)) return stored;
  if (!stored.empty()) {
    for (const PlannedPartition& p : stored) {
      if (!run.state.load_checkpoint(pipeline, run.checkpoint_key(p.name))) continue;
      throw Error("pipeline '" + pipeline + "': the source now plans partitions " + listed(fresh) +
                  ", but the plan stored with the checkpoints has " + listed(stored) + ", and partition '" + p.name +
                  "' has a checkpoint of it: read under the new plan it would skip or repeat rows. Restore the "
                  "source's configuration, or run `ferry checkpoint reset` to plan again (every partition then "
                  "starts over)");
    }
  }
  if (!run.dry_run()) run.state.save_partition_plan(pipeline, scope, fresh);
  return fresh;
}

}  // namespace ferry::core
