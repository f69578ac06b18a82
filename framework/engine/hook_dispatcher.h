// Checkpoint hooks ("what just committed") and backlog hooks ("what just
// failed") of one worker. A hook's STOP, or a failure of a hook whose
// on_failure is "stop", stops the whole run after the batch in flight,
// every worker included. A failing hook never un-commits anything.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/plugin_instances.h"
#include "engine/run_context.h"
#include "engine/sink_writer.h"

namespace ferry::core {

class HookDispatcher {
 public:
  explicit HookDispatcher(RunContext& run) : run_(run) {}
  void add(std::unique_ptr<CheckpointHookInstance> hook) { checkpoint_.push_back(std::move(hook)); }
  void add(std::unique_ptr<BacklogHookInstance> hook) { backlog_.push_back(std::move(hook)); }

  // The rows of `batch` that `sink` committed (all but `rejected`).
  void committed(const FerryBatch& batch, const std::string& sink, const std::string& position,
                 const std::vector<RowFailure>& rejected);
  // Rows of `batch` that failed at `stage` (a transform or a sink).
  void failed(const FerryBatch& batch, const std::string& stage, const std::vector<RowFailure>& failures);

  void close() {
    checkpoint_.clear();
    backlog_.clear();
  }

 private:
  void hook_failed(const InstanceBase& hook, const char* kind, const std::string& message,
                   const std::vector<StageDef>& defs);

  RunContext& run_;
  std::vector<std::unique_ptr<CheckpointHookInstance>> checkpoint_;
  std::vector<std::unique_ptr<BacklogHookInstance>> backlog_;
};

}  // namespace ferry::core
