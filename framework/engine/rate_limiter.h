// A token bucket shared by every worker of a run: `--rate N` caps the
// records read per second across all partitions. Tokens refill continuously;
// the bucket holds at most a tenth of a second's worth, so a pause does not
// turn into a burst.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "engine/stop_source.h"

namespace ferry::core {

class RateLimiter {
 public:
  explicit RateLimiter(double per_second) : rate_(per_second), tokens_(0), last_(Clock::now()) {}

  // Takes `n` tokens, waiting as long as needed (a batch larger than the
  // bucket goes into debt, which later batches pay back). Returns false if
  // stopped while waiting.
  bool acquire(double n, const StopSource* stop) {
    Clock::duration wait{0};
    {
      std::lock_guard<std::mutex> lock(mu_);
      refill();
      tokens_ -= n;
      if (tokens_ < 0) wait = wait_for(-tokens_, rate_);
    }
    auto until = Clock::now() + wait;
    while (Clock::now() < until) {
      if (stop && stop->stopping()) return false;
      std::this_thread::sleep_for(std::min<Clock::duration>(until - Clock::now(), std::chrono::milliseconds(20)));
    }
    return true;
  }

  using Clock = std::chrono::steady_clock;

  // How long `debt` tokens take to come in at `rate` a second. At most a
  // year: at a rate of 1e-9 the wait is 300 years, which in the clock's
  // nanoseconds would overflow and come out as no wait at all.
  static Clock::duration wait_for(double debt, double rate) {
    constexpr std::chrono::hours kLongest(24 * 365);
    const double seconds = debt / rate;
    if (!(seconds < std::chrono::duration<double>(kLongest).count())) return kLongest;
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }

 private:
  void refill() {
    auto now = Clock::now();
    tokens_ = std::min(rate_ / 10, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
    last_ = now;
  }

  std::mutex mu_;
  double rate_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace ferry::core
