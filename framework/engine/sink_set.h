// The sinks of one worker: opened with retries (RETRY from open is retried
// like any other call), and kept "down" when one stays unreachable but the
// commit policy can do without it; a down sink's rows go to the DLQ
// addressed to it, and it is tried again now and then. A sink that takes
// one writer at a time is the run's shared instance (shared_sinks.h), used
// only while held.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/backoff.h"
#include "engine/plugin_instances.h"
#include "engine/run_context.h"

namespace ferry::core {

struct SinkSlot {
  const SinkDef* def = nullptr;
  bool transactional = false;
  SinkInstance* instance = nullptr;         // null while down
  std::unique_ptr<SinkInstance> owned;      // the worker's own instance, or
  SharedSinks::Shared* shared = nullptr;    // the run's one, for a single writer,
  std::unique_ptr<HostContext> local_host;  // with this worker's context for errant reports
  std::unique_ptr<Backoff> backoff;
  std::string down_reason;                  // why it could not be opened
  std::chrono::steady_clock::time_point next_reopen{};
};

// Whether the pipeline's commit policy holds when the sinks marked in
// `acked` acknowledged a batch.
bool commit_policy_met(const PipelineDef& def, const std::vector<bool>& acked);
// "all", "required", "quorum(2)".
std::string commit_policy_text(const CommitPolicy& p);

class SinkSet {
 public:
  using HostFactory = std::function<std::unique_ptr<HostContext>(const std::string& stage)>;

  SinkSet(RunContext& run, HostFactory hosts);
  // Opens every sink; throws when one the commit policy needs cannot be
  // opened, or any fails with a fatal status.
  void open_all();
  // Tries again, without waiting, the sinks that were down long enough.
  void reopen_down();

  // Holds every shared sink of the set, in the definition's order (so
  // workers never wait for each other in a circle), until destroyed. A
  // worker holds them across a whole batch (write to commit or abort) and
  // whenever it asks them about a partition; without shared sinks it holds
  // nothing.
  class Hold {
   public:
    Hold() = default;
    Hold(Hold&&) = default;
    Hold& operator=(Hold&&) = delete;
    ~Hold();

   private:
    friend class SinkSet;
    std::vector<std::unique_lock<std::mutex>> locks_;
    std::vector<SharedSinks::Shared*> held_;
  };
  [[nodiscard]] Hold hold();

  size_t size() const { return slots_.size(); }
  SinkSlot& operator[](size_t i) { return slots_[i]; }
  const SinkSlot& operator[](size_t i) const { return slots_[i]; }
  std::vector<SinkSlot>::iterator begin() { return slots_.begin(); }
  std::vector<SinkSlot>::iterator end() { return slots_.end(); }

  void close() { slots_.clear(); }

 private:
  SinkInstance* open_one(SinkSlot& slot, bool wait);
  std::unique_ptr<SinkInstance> open_instance(SinkSlot& slot, bool wait,
                                              const std::function<std::unique_ptr<HostContext>()>& host);

  RunContext& run_;
  HostFactory hosts_;
  std::vector<SinkSlot> slots_;
};

}  // namespace ferry::core
