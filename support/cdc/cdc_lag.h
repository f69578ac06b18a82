// How far behind its upstream a change-data-capture source's sinks are, in
// time: the age of the oldest change handed to the host that not every
// sink has committed yet. The source reports it as a gauge.
#pragma once

#include <chrono>
#include <deque>
#include <string>
#include <string_view>

namespace ferry::support {

class CdcLag {
 public:
  using Clock = std::chrono::system_clock;

  // A batch ending at `position` went to the host; its first change
  // committed upstream at `first_commit`.
  void handed(std::string position, Clock::time_point first_commit);
  // Every sink committed up to `position` (a position handed before, or
  // one this run did not hand over, which changes nothing).
  void acknowledged(std::string_view position);
  // Seconds since the oldest change still waiting for a sink committed
  // upstream; 0 when none waits.
  double seconds(Clock::time_point now) const;

 private:
  struct Pending {
    std::string position;
    Clock::time_point first_commit;
  };
  std::deque<Pending> pending_;  // batches in flight: bounded by the host's queue
};

}  // namespace ferry::support
