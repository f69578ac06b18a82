// Why a run ends early, shared by every worker of the run: the user's
// interrupt (SIGINT/SIGTERM), a hook that asked to stop, or a worker's
// fatal error. Every wait, every plugin's is_cancelled and every worker's
// loop looks at the same object, so one stop reaches all of them.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

namespace ferry::core {

class StopSource {
 public:
  explicit StopSource(const std::atomic<bool>* interrupt = nullptr) : interrupt_(interrupt) {}
  StopSource(const StopSource&) = delete;
  StopSource& operator=(const StopSource&) = delete;

  // True once anything asked the run to stop.
  bool stopping() const { return stop_.load() || interrupted(); }
  bool interrupted() const { return interrupt_ && interrupt_->load(); }

  // Stop after the batch in flight; the first reason given is kept.
  // `failure`: the run ends as failed (a hook with on_failure: stop).
  void request(const std::string& reason, bool failure) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stop_.load()) {
      reason_ = reason;
      failure_ = failure;
    }
    stop_.store(true);
  }
  // A worker failed: the others stop too (its error is reported).
  void abort() { stop_.store(true); }

  // Set by request(): why, and whether that makes the run a failure.
  bool requested() const {
    std::lock_guard<std::mutex> lock(mu_);
    return !reason_.empty();
  }
  std::string reason() const {
    std::lock_guard<std::mutex> lock(mu_);
    return reason_;
  }
  bool failure() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failure_;
  }

 private:
  const std::atomic<bool>* interrupt_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::string reason_;
  bool failure_ = false;
};

}  // namespace ferry::core
