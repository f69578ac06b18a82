// The sinks that take one writer at a time (FERRY_CAP_SINGLE_WRITER, ABI
// 1.7): one instance per run, shared by every worker thread. A worker holds
// it (SinkSet::hold) from a batch's first write to its commit or abort, and
// while it asks the sink about a partition, so the sink sees one batch at a
// time, as from a single writer, instead of instances racing for its own
// lock (SQLite's database lock).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/host_context.h"
#include "engine/plugin_instances.h"
#include "pipeline/definition.h"
#include "plugin/registry.h"

namespace ferry::core {

class SharedSinks {
 public:
  struct Shared {
    std::mutex mutex;
    std::unique_ptr<SinkInstance> instance;  // null until opened, and while down
    // The worker holding it (or opening it): a record the sink reports as
    // errant goes to that worker's dead letters.
    HostContext* holder = nullptr;
    // Down: one worker tried with the retry policy's patience and failed.
    // The others take that as the answer instead of each waiting as long
    // again, and one attempt at a time tries again when it is due.
    bool tried = false;
    std::string down_reason;
    std::chrono::steady_clock::time_point next_reopen{};
  };

  // One slot per sink of the definition; those whose plugin declares the
  // capability get a Shared.
  SharedSinks(const PipelineDef& def, const PluginRegistry& plugins);
  SharedSinks(const SharedSinks&) = delete;
  SharedSinks& operator=(const SharedSinks&) = delete;

  // Null for a sink that takes several writers.
  Shared* find(size_t sink) { return sink < shared_.size() ? shared_[sink].get() : nullptr; }
  // A context for the shared instance of sink `stage`: errant reports go
  // to whoever holds it.
  std::unique_ptr<HostContext> host_for(Shared& shared, const PipelineDef& def, const std::string& stage,
                                        const StopSource* stop, Metrics* metrics);
  // Closes every shared instance once the workers are done with them. A
  // record reported as errant while one closes has no worker to go to: the
  // plugin is answered FERRY_ERROR_INTERNAL.
  void close();

 private:
  std::vector<std::unique_ptr<Shared>> shared_;
};

}  // namespace ferry::core
