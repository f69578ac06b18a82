#include "engine/sink_set.h"

#include <random>

#include "common/log.h"
#include "engine/sink_writer.h"

namespace ferry::core {
namespace {

using Clock = std::chrono::steady_clock;

// A down sink is tried again after at most this long (or its policy's
// longest delay, if shorter).
constexpr std::chrono::seconds kReopenEvery{30};

std::chrono::milliseconds reopen_delay(const SinkDef& def) {
  return std::min<std::chrono::milliseconds>(kReopenEvery, std::chrono::milliseconds(def.retry.max_delay_ms));
}

}  // namespace

std::string commit_policy_text(const CommitPolicy& p) {
  switch (p.kind) {
    case CommitPolicyKind::All: return "all";
    case CommitPolicyKind::Required: return "required";
    case CommitPolicyKind::Quorum: return "quorum(" + std::to_string(p.quorum) + ")";
  }
  return "all";
}

bool commit_policy_met(const PipelineDef& def, const std::vector<bool>& acked) {
  size_t count = 0;
  bool required_ok = true;
  for (size_t i = 0; i < acked.size(); ++i) {
    if (acked[i]) ++count;
    else if (def.sinks[i].required) required_ok = false;
  }
  switch (def.commit_policy.kind) {
    case CommitPolicyKind::All: return count == acked.size();
    case CommitPolicyKind::Required: return required_ok;
    case CommitPolicyKind::Quorum: return count >= def.commit_policy.quorum;
  }
  return false;
}

SinkSet::SinkSet(RunContext& run, HostFactory hosts) : run_(run), hosts_(std::move(hosts)) {
  uint64_t seed = std::random_device{}();
  for (const SinkDef& s : run_.def.sinks) {
    SinkSlot slot;
    slot.def = &s;
    slot.transactional = run_.plugins.require(s.plugin).has_capability(FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL);
    slot.backoff = std::make_unique<Backoff>(s.retry, seed++);
    slot.shared = run_.shared_sinks.find(slots_.size());
    if (slot.shared) slot.local_host = hosts_(s.name);
    slots_.push_back(std::move(slot));
  }
}

SinkInstance* SinkSet::open_one(SinkSlot& slot, bool wait) {
  if (!slot.shared) {
    slot.owned = open_instance(slot, wait, [&] { return hosts_(slot.def->name); });
    return slot.owned.get();
  }
  // The first worker opens it (the others wait for the outcome); one that
  // finds it open uses it, and one that finds it down takes that answer
  // until another attempt is due.
  SharedSinks::Shared& shared = *slot.shared;
  std::lock_guard<std::mutex> lock(shared.mutex);
  if (shared.instance) return shared.instance.get();
  if (shared.tried && (wait || Clock::now() < shared.next_reopen)) {
    slot.down_reason = shared.down_reason;
    return nullptr;
  }
  // Opening is holding: what it reports as errant goes to this worker.
  struct Opening {
    SharedSinks::Shared& shared;
    explicit Opening(SharedSinks::Shared& s, HostContext* h) : shared(s) { shared.holder = h; }
    ~Opening() { shared.holder = nullptr; }
  } opening(shared, slot.local_host.get());
  shared.instance = open_instance(slot, wait, [&] {
    return run_.shared_sinks.host_for(shared, run_.def, slot.def->name, &run_.stop, run_.options.metrics);
  });
  // A fatal error (thrown) is every worker's to meet; only "down" is kept.
  shared.tried = true;
  if (!shared.instance) {
    shared.down_reason = slot.down_reason;
    shared.next_reopen = Clock::now() + reopen_delay(*slot.def);
  }
  return shared.instance.get();
}

std::unique_ptr<SinkInstance> SinkSet::open_instance(SinkSlot& slot, bool wait,
                                                     const std::function<std::unique_ptr<HostContext>()>& host) {
  const RetryPolicy& policy = slot.def->retry;
  const auto started = Clock::now();
  for (uint32_t attempt = 1;; ++attempt) {
    try {
      return std::make_unique<SinkInstance>(run_.plugins.require(slot.def->plugin), host(),
                                            run_.params_for(*slot.def));
    } catch (const PluginCallError& e) {
      if (e.status() != FERRY_RETRY) throw;
      slot.down_reason = e.what();
      if (!wait) return nullptr;
      const uint64_t delay = slot.backoff->delay_ms(attempt, 0);
      const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
      if (attempt >= policy.max_attempts || static_cast<uint64_t>(elapsed) + delay > policy.max_elapsed_ms)
        return nullptr;
      log_warn("cannot open the sink yet, trying again in " + std::to_string(delay) + " ms (attempt " +
                   std::to_string(attempt) + " of " + std::to_string(policy.max_attempts) + "): " + e.what(),
               run_.fields({}, slot.def->name));
      if (!sleep_unless_stopping(delay, &run_.stop)) throw CancelledError();
    }
  }
}

void SinkSet::open_all() {
  std::vector<bool> up(slots_.size(), true);
  for (size_t i = 0; i < slots_.size(); ++i) {
    SinkSlot& slot = slots_[i];
    slot.instance = open_one(slot, true);
    if (slot.instance) continue;
    up[i] = false;
    if (!commit_policy_met(run_.def, up))
      throw Error("sink '" + slot.def->name + "' could not be opened, and commit policy '" +
                  commit_policy_text(run_.def.commit_policy) + "' needs it: " + slot.down_reason);
    log_warn("sink '" + slot.def->name + "' is down; its records go to the dead-letter queue addressed to it "
             "until it can be opened: " + slot.down_reason,
             run_.fields({}, slot.def->name));
    slot.next_reopen = Clock::now() + reopen_delay(*slot.def);
  }
}

SinkSet::Hold SinkSet::hold() {
  Hold h;
  for (SinkSlot& slot : slots_) {
    if (!slot.shared) continue;
    h.locks_.emplace_back(slot.shared->mutex);
    h.held_.push_back(slot.shared);
    slot.shared->holder = slot.local_host.get();
    // Another worker may have opened it since this one found it down.
    if (!slot.instance && slot.shared->instance) {
      slot.instance = slot.shared->instance.get();
      slot.down_reason.clear();
    }
  }
  return h;
}

SinkSet::Hold::~Hold() {
  for (SharedSinks::Shared* s : held_) s->holder = nullptr;
}

void SinkSet::reopen_down() {
  for (SinkSlot& slot : slots_) {
    if (slot.instance || Clock::now() < slot.next_reopen) continue;
    slot.instance = open_one(slot, false);
    if (slot.instance) {
      log_info("sink '" + slot.def->name + "' is back", run_.fields({}, slot.def->name));
      slot.down_reason.clear();
      continue;
    }
    slot.next_reopen = Clock::now() + reopen_delay(*slot.def);
  }
}

}  // namespace ferry::core
