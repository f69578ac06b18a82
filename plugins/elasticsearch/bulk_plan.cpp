#include "bulk_plan.h"

#include <functional>

#include "document.h"
#include "codec/gzip.h"

namespace ferry_es {
namespace {

// Builds the requests of one lane.
class LaneBuilder {
 public:
  LaneBuilder(const Options& opts, std::vector<BulkRequest>& out) : opts_(opts), out_(out) {}

  std::string& body() { return current_.body; }

  // The row whose lines were just appended at `start` of the body: keeps it
  // in this request or, if that would pass a bound, moves it to a new one. A
  // single row larger than max_bulk_bytes still goes, alone.
  void added(size_t row, size_t start) {
    const bool full = !current_.rows.empty() &&
                      (current_.rows.size() >= static_cast<size_t>(opts_.max_bulk_records) ||
                       current_.body.size() > static_cast<size_t>(opts_.max_bulk_bytes));
    if (full) {
      std::string tail = current_.body.substr(start);
      current_.body.resize(start);
      flush();
      current_.body = std::move(tail);
    }
    current_.rows.push_back(row);
  }

  void flush() {
    if (current_.rows.empty()) return;
    current_.raw_bytes = current_.body.size();
    // Level 1: the CPU better ratios cost would slow the pipeline more than
    // the saved bytes speed it.
    if (opts_.gzip) current_.body = ferry::support::gzip(current_.body, 1, "elasticsearch sink");
    out_.push_back(std::move(current_));
    current_ = BulkRequest{};
  }

 private:
  const Options& opts_;
  std::vector<BulkRequest>& out_;
  BulkRequest current_;
};

}  // namespace

BulkPlan plan_bulk(const ferry::BatchView& batch, const Options& opts) {
  BulkPlan plan;
  const auto lanes = static_cast<size_t>(opts.concurrency);
  plan.lanes.resize(lanes);
  std::vector<LaneBuilder> builders;
  builders.reserve(lanes);
  for (size_t l = 0; l < lanes; ++l) builders.emplace_back(opts, plan.lanes[l]);

  const DocumentEncoder encoder(batch, opts);
  std::string id;
  std::string error;
  size_t round_robin = 0;
  for (size_t row = 0; row < batch.rows(); ++row) {
    if (!encoder.id_of(row, id, error)) {
      plan.rejected.push_back({row, "elasticsearch sink: " + error});
      continue;
    }
    size_t lane = 0;
    if (lanes > 1) lane = id.empty() ? round_robin++ % lanes : std::hash<std::string>{}(id) % lanes;
    if (id.empty()) ++plan.keyless;
    LaneBuilder& b = builders[lane];
    const size_t start = b.body().size();
    if (!encoder.append(row, id, b.body(), error)) {
      plan.rejected.push_back({row, "elasticsearch sink: " + error});
      continue;
    }
    b.added(row, start);
  }
  for (LaneBuilder& b : builders) b.flush();
  return plan;
}

}  // namespace ferry_es
