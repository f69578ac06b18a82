#include "state/waiting_commits.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace ferry::core {
namespace {

// A pipeline with a few partitions in turn keeps a few records; one that
// changes which sinks acknowledge from batch to batch saves at this many.
constexpr size_t kMostWaiting = 64;

bool same_sinks(const std::vector<std::pair<std::string, int64_t>>& a,
                const std::vector<std::pair<std::string, int64_t>>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return x.first == y.first; });
}

}  // namespace

bool WaitingCommits::may_wait(const CommitRecord& r) {
  return r.may_wait_ms > 0 && r.checkpoint && r.add.empty() && r.change.empty() && !r.fence;
}

void WaitingCommits::add(const CommitRecord& r, Clock::time_point now) {
  deadline_ = std::min(deadline_, now + std::chrono::milliseconds(r.may_wait_ms));
  // Only the newest commit of the partition takes it in, and only when the
  // same sinks acknowledged both: each sink's count of batches goes up by
  // the merged record's `batches`.
  auto newest = std::find_if(waiting_.rbegin(), waiting_.rend(), [&](const CommitRecord& w) {
    return w.pipeline == r.pipeline && w.partition == r.partition;
  });
  if (newest == waiting_.rend() || newest->run_id != r.run_id || !same_sinks(newest->acks, r.acks)) {
    waiting_.push_back(r);
    return;
  }
  CommitRecord& w = *newest;
  w.checkpoint = r.checkpoint;  // the later position, run and schema version
  w.records += r.records;
  w.batches += r.batches;
  for (size_t i = 0; i < r.acks.size(); ++i) w.acks[i].second += r.acks[i].second;
  w.progress.read += r.progress.read;
  w.progress.written += r.progress.written;
  w.progress.rejected += r.progress.rejected;
  w.progress.batches += r.progress.batches;
}

bool WaitingCommits::holds(const std::string& pipeline, const std::string& partition) const {
  return std::any_of(waiting_.begin(), waiting_.end(),
                     [&](const CommitRecord& w) { return w.pipeline == pipeline && w.partition == partition; });
}

bool WaitingCommits::due(Clock::time_point now) const {
  return !waiting_.empty() && (now >= deadline_ || waiting_.size() >= kMostWaiting);
}

void WaitingCommits::clear() {
  waiting_.clear();
  deadline_ = Clock::time_point::max();
}

}  // namespace ferry::core
