// How far behind its upstream a change-data-capture source's sinks are, in
// time: the age of the oldest change handed to the host that not every
// sink has committed yet. The source reports it as a gauge.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::support {

class CdcLag {
 public:
  using Clock = std::chrono::system_clock;

  // A transaction committed upstream at `committed` joins the batch being
  // built (the first one's time is the batch's).
  void add(Clock::time_point committed);
  // The batch being built went to the host, ending at `position`.
  void handed(std::string position);
  // The batch being built is dropped: the source reconnects and builds it
  // again.
  void dropped() { building_.reset(); }
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
  std::optional<Clock::time_point> building_;  // the first commit of the batch being built
};

}  // namespace ferry::support
