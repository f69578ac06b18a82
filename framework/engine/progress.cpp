#include "engine/progress.h"

#include <algorithm>
#include <cmath>

namespace ferry::core {

std::string grouped(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string duration_text(double seconds) {
  const auto s = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  auto two = [](int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m " + two(s % 60) + "s";
  return std::to_string(s / 3600) + "h " + two(s / 60 % 60) + "m";
}

Progress::Progress(std::string pipeline, Clock::time_point started)
    : pipeline_(std::move(pipeline)), started_(started) {}

void Progress::expect(const std::string& partition, uint64_t estimated_records) {
  std::lock_guard<std::mutex> lock(mu_);
  partitions_[partition].estimate = estimated_records;
}

void Progress::started(const std::string& partition, uint64_t estimated_records, int64_t done_before) {
  std::lock_guard<std::mutex> lock(mu_);
  Partition& p = partitions_[partition];
  if (estimated_records > 0) p.estimate = estimated_records;
  p.before = done_before;
  p.state = Partition::State::kRunning;
}

void Progress::read(const std::string& partition, int64_t records) {
  std::lock_guard<std::mutex> lock(mu_);
  partitions_[partition].read += records;
}

void Progress::finished(const std::string& partition) {
  std::lock_guard<std::mutex> lock(mu_);
  partitions_[partition].state = Partition::State::kDone;
}

std::string Progress::line() const { return line(Clock::now()); }

std::string Progress::line(Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t read = 0, done = 0;
  uint64_t total = 0;
  bool all_known = !partitions_.empty();
  size_t finished = 0;
  std::string running;
  int shown = 0;
  for (const auto& [name, p] : partitions_) {
    read += p.read;
    // A finished partition is whole, whatever its estimate said.
    const int64_t have = p.before + p.read;
    const uint64_t size = p.state == Partition::State::kDone ? static_cast<uint64_t>(have)
                                                              : std::max<uint64_t>(p.estimate, static_cast<uint64_t>(have));
    done += have;
    total += size;
    if (p.estimate == 0 && p.state != Partition::State::kDone) all_known = false;
    if (p.state == Partition::State::kDone) ++finished;
    if (p.state == Partition::State::kRunning && shown < 3) {
      ++shown;
      running += " " + name + " ";
      running += p.estimate > 0 ? std::to_string(std::min<int64_t>(100, have * 100 / static_cast<int64_t>(size))) + "%"
                                : grouped(have);
    }
  }
  const double secs = std::chrono::duration<double>(now - started_).count();
  const double rate = secs > 0 ? static_cast<double>(read) / secs : 0;
  std::string out = pipeline_ + ":";
  if (all_known && total > 0) {
    out += " " + std::to_string(std::min<int64_t>(100, done * 100 / static_cast<int64_t>(total))) + "% ·";
    out += " " + grouped(done) + " of ~" + grouped(static_cast<int64_t>(total)) + " records";
  } else {
    out += " " + grouped(done) + " records";
  }
  out += " · " + grouped(static_cast<int64_t>(rate)) + " records/s";
  if (all_known && total > 0 && rate > 0)
    out += " · ETA " + duration_text(static_cast<double>(static_cast<int64_t>(total) - done) / rate);
  if (partitions_.size() > 1) {
    out += " · partitions " + std::to_string(finished) + " of " + std::to_string(partitions_.size()) + " done";
    if (!running.empty()) out += " ·" + running;
  }
  return out;
}

ProgressReporter::ProgressReporter(const Progress& progress, bool terminal, std::chrono::milliseconds every,
                                   LogFields fields)
    : progress_(progress),
      terminal_(terminal),
      every_(terminal ? std::chrono::milliseconds(500) : every),
      pipeline_(fields.pipeline),
      run_id_(fields.run_id) {
  if (every_.count() > 0) thread_ = std::thread([this] { loop(); });
}

ProgressReporter::~ProgressReporter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ProgressReporter::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  // A periodic report, not synchronisation: waking early on stop is all
  // the timing that matters.
  while (!wake_.wait_for(lock, every_, [this] { return stop_; })) {
    const std::string line = progress_.line();
    if (terminal_) Logger::instance().status_line(line);
    else Logger::instance().log(LogLevel::Info, "progress: " + line, LogFields{pipeline_, run_id_, {}, {}});
  }
}

}  // namespace ferry::core
