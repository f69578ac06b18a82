// How far a run is: records per partition against the source's estimates,
// the rate, and the time left. Workers report what they read; a reporter
// thread shows it, as a status line on a terminal or as a log line at a
// fixed interval without one (so a run under systemd or in CI says how it
// is doing, not only how it ended).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>

#include "common/log.h"

namespace ferry::core {

class Progress {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Progress(std::string pipeline, Clock::time_point started = Clock::now());

  // The partitions the run will read, with the source's estimate of each
  // (0: unknown), before any starts: the overall share and ETA count them.
  void expect(const std::string& partition, uint64_t estimated_records);
  // A partition starts; `done_before` records were committed by earlier runs.
  void started(const std::string& partition, uint64_t estimated_records, int64_t done_before);
  void read(const std::string& partition, int64_t records);
  void finished(const std::string& partition);

  // "orders: 42% · 12,345 of ~29,400 records · 8,200 records/s · ETA 3s ·
  // partitions 1 of 3 done · p0 60% p1 30%".
  std::string line() const;
  std::string line(Clock::time_point now) const;
  // The same facts for the admin API: percent, done, estimated_total (null
  // when unknown), records_per_second, eta_seconds, and per partition.
  boost::json::object json(Clock::time_point now = Clock::now()) const;

 private:
  struct Partition {
    uint64_t estimate = 0;  // records in all; 0 unknown
    int64_t before = 0;     // committed before this run
    int64_t read = 0;       // read in this run
    enum class State { kWaiting, kRunning, kDone } state = State::kWaiting;
  };

  struct Snapshot {
    int64_t done = 0;         // committed before plus read now
    int64_t total = 0;        // estimated records in all
    bool all_known = false;   // every unfinished partition has an estimate
    size_t finished = 0;
    double rate = 0;          // records read per second in this run
  };
  Snapshot snapshot(Clock::time_point now) const;  // REQUIRES: mu_ held
  int64_t size_of(const Partition& p) const;

  mutable std::mutex mu_;
  const std::string pipeline_;
  const Clock::time_point started_;
  std::map<std::string, Partition> partitions_;
};

// Shows a Progress while it lives: every half second on a terminal's status
// line, or every `every` as an info log line (never when zero).
class ProgressReporter {
 public:
  ProgressReporter(const Progress& progress, bool terminal, std::chrono::milliseconds every, LogFields fields);
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

 private:
  void loop();

  const Progress& progress_;
  const bool terminal_;
  const std::chrono::milliseconds every_;
  const std::string pipeline_;
  const std::string run_id_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

// 12,345 (thousands separated, as people read them).
std::string grouped(int64_t n);
// 45s, 3m 05s, 2h 10m.
std::string duration_text(double seconds);

}  // namespace ferry::core
