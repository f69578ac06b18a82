// The sinks of one worker: opened with retries (RETRY from open is retried
// like any other call), and kept "down" when one stays unreachable but the
// commit policy can do without it; a down sink's rows go to the DLQ
// addressed to it, and it is tried again now and then.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/backoff.h"
#include "engine/plugin_instances.h"
#include "engine/run_context.h"

namespace ferry::core {

struct SinkSlot {
  const SinkDef* def = nullptr;
  bool transactional = false;
  std::unique_ptr<SinkInstance> instance;  // null while down
  std::unique_ptr<Backoff> backoff;
  std::string down_reason;                 // why it could not be opened
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

  size_t size() const { return slots_.size(); }
  SinkSlot& operator[](size_t i) { return slots_[i]; }
  const SinkSlot& operator[](size_t i) const { return slots_[i]; }
  std::vector<SinkSlot>::iterator begin() { return slots_.begin(); }
  std::vector<SinkSlot>::iterator end() { return slots_.end(); }

  void close() { slots_.clear(); }

 private:
  std::unique_ptr<SinkInstance> open_one(SinkSlot& slot, bool wait);

  RunContext& run_;
  HostFactory hosts_;
  std::vector<SinkSlot> slots_;
};

}  // namespace ferry::core
