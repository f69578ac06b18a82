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
  p.read = 0;  // a backfill runs each partition once per window
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

int64_t Progress::size_of(const Partition& p) const {
  // A finished partition is whole, whatever its estimate said; one that
  // read past its estimate is at least as big as that.
  const int64_t have = p.before + p.read;
  if (p.state == Partition::State::kDone) return have;
  return std::max<int64_t>(static_cast<int64_t>(p.estimate), have);
}

Progress::Snapshot Progress::snapshot(Clock::time_point now) const {
  Snapshot s;
  s.all_known = !partitions_.empty();
  int64_t read = 0;
  for (const auto& [name, p] : partitions_) {
    read += p.read;
    s.done += p.before + p.read;
    s.total += size_of(p);
    if (p.estimate == 0 && p.state != Partition::State::kDone) s.all_known = false;
    if (p.state == Partition::State::kDone) ++s.finished;
  }
  const double secs = std::chrono::duration<double>(now - started_).count();
  s.rate = secs > 0 ? static_cast<double>(read) / secs : 0;
  return s;
}

std::string Progress::line(Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Snapshot s = snapshot(now);
  std::string out = pipeline_ + ":";
  if (s.all_known && s.total > 0) {
    out += " " + std::to_string(std::min<int64_t>(100, s.done * 100 / s.total)) + "% ·";
    out += " " + grouped(s.done) + " of ~" + grouped(s.total) + " records";
  } else {
    out += " " + grouped(s.done) + " records";
  }
  out += " · " + grouped(static_cast<int64_t>(s.rate)) + " records/s";
  if (s.all_known && s.total > 0 && s.rate > 0)
    out += " · ETA " + duration_text(static_cast<double>(s.total - s.done) / s.rate);
  if (partitions_.size() > 1) {
    out += " · partitions " + std::to_string(s.finished) + " of " + std::to_string(partitions_.size()) + " done";
    std::string running;
    int shown = 0;
    for (const auto& [name, p] : partitions_) {
      if (p.state != Partition::State::kRunning || shown++ == 3) continue;
      const int64_t have = p.before + p.read;
      running += " " + name + " ";
      running += p.estimate > 0 ? std::to_string(std::min<int64_t>(100, have * 100 / size_of(p))) + "%" : grouped(have);
    }
    if (!running.empty()) out += " ·" + running;
  }
  return out;
}

boost::json::object Progress::json(Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Snapshot s = snapshot(now);
  const bool known = s.all_known && s.total > 0;
  boost::json::array parts;
  for (const auto& [name, p] : partitions_) {
    const int64_t have = p.before + p.read;
    const char* state = p.state == Partition::State::kDone      ? "done"
                        : p.state == Partition::State::kRunning ? "running"
                                                                : "waiting";
    boost::json::object o{{"partition", name}, {"state", state}, {"done", have}, {"read_this_run", p.read}};
    o["estimated_total"] = p.estimate > 0 || p.state == Partition::State::kDone ? boost::json::value(size_of(p))
                                                                                 : boost::json::value(nullptr);
    o["percent"] = p.estimate > 0 || p.state == Partition::State::kDone
                       ? boost::json::value(size_of(p) > 0 ? std::min<int64_t>(100, have * 100 / size_of(p)) : 100)
                       : boost::json::value(nullptr);
    parts.push_back(std::move(o));
  }
  boost::json::object out{{"done", s.done},
                          {"records_per_second", s.rate},
                          {"partitions_done", s.finished},
                          {"partitions", std::move(parts)}};
  out["estimated_total"] = known ? boost::json::value(s.total) : boost::json::value(nullptr);
  out["percent"] = known ? boost::json::value(std::min<int64_t>(100, s.done * 100 / s.total)) : boost::json::value(nullptr);
  out["eta_seconds"] = known && s.rate > 0 ? boost::json::value(static_cast<double>(s.total - s.done) / s.rate)
                                           : boost::json::value(nullptr);
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
