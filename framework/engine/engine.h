// The run loop. For every partition of the source, in the commit order of the
// reliability contract:
//
//   read -> transform -> write to each sink -> commit policy decides ->
//   commit each acknowledging sink (transactional sinks store the checkpoint
//   with the data) -> persist the checkpoint -> checkpoint hooks -> release
//
// A reader thread runs the source and transforms ahead of the writer through
// a bounded queue, so memory is bounded by queue depth x batch size. A crash
// at any point leaves either the old checkpoint (the batch is delivered
// again, absorbed by the sink's transaction or idempotency) or the new one.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "pipeline/definition.h"
#include "plugin/registry.h"
#include "state/state_store.h"

namespace ferry::core {

// `ferry replay`: re-deliver dead-letter records instead of reading the source.
struct ReplayOptions {
  DlqFilter filter;                 // pipeline is filled in by the engine
  std::optional<std::string> sink;  // deliver to this sink instead of the one each record failed on
};

struct EngineOptions {
  const std::atomic<bool>* cancel = nullptr;  // set by SIGINT/SIGTERM
  bool progress = false;                      // progress line on stderr
  bool dry_run = false;                       // read and transform; write nothing
  std::string kind = "run";
  std::optional<ReplayOptions> replay;
};

struct ReplayCounts {
  int64_t selected = 0;
  int64_t resolved = 0;
  int64_t failed_again = 0;
  int64_t skipped = 0;  // raw records the source could not parse: not replayable
  int64_t already_done = 0;  // committed by an interrupted replay; only marked resolved
};

struct RunSummary {
  std::string run_id;
  RunStatus status = RunStatus::Succeeded;
  RunCounts counts;
  int64_t retries = 0;
  int64_t extra_writes = 0;
  double seconds = 0;
  std::string message;  // why it stopped, for failures and stops
  ReplayCounts replay;
};

class Engine {
 public:
  Engine(const PipelineDef& def, const PluginRegistry& plugins, StateStore& state);
  ~Engine();
  // Runs until every partition is done, a stop, or a fatal error (thrown
  // after the run is recorded as failed).
  RunSummary run(const EngineOptions& options);

 private:
  const PipelineDef& def_;
  const PluginRegistry& plugins_;
  StateStore& state_;
};

std::string new_run_id();
std::string format_summary(const std::string& pipeline, const RunSummary& s);

}  // namespace ferry::core
