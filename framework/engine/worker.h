// One worker of a run: its own instance of every plugin of the pipeline
// (an instance is only ever used by one thread at a time), except a sink
// that takes one writer at a time, whose run-wide instance it holds while
// using it (shared_sinks.h); its counts; and the commit core over its
// sinks. A parallel run has several; each takes whole partitions.
#pragma once

#include <memory>
#include <string>

#include "engine/commit_core.h"
#include "engine/dead_letters.h"
#include "engine/hook_dispatcher.h"
#include "engine/run_context.h"
#include "engine/sink_set.h"
#include "engine/transform_chain.h"

namespace ferry::core {

class Worker {
 public:
  // Opens the transforms, and unless this is a dry run the sinks and hooks;
  // the source too when `with_source` (a replay reads the DLQ instead).
  Worker(RunContext& run, bool with_source);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  RunContext& run;
  WorkerCounts counts;
  ErrantRecords errants;
  std::string current_partition;  // set before a partition's reader starts
  std::unique_ptr<SourceInstance> source;
  TransformChain transforms;
  SinkSet sinks;
  HookDispatcher hooks;
  CommitCore core;

 private:
  std::unique_ptr<HostContext> host_for(const std::string& stage);
};

}  // namespace ferry::core
