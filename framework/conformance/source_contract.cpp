#include <algorithm>
#include <optional>

#include "conformance/contracts.h"
#include "conformance/kit_host.h"
#include "engine/host_context.h"
#include "engine/record_json.h"

namespace ferry::core {
namespace {

// Bounds that keep a check of a large source short: it reads this much of
// the first partitions and resumes from this many batch ends.
constexpr size_t kMaxPartitions = 4;
constexpr size_t kMaxBatches = 2000;
constexpr size_t kMaxResumes = 12;
constexpr uint64_t kBatchRecords = 7;

struct ReadBatch {
  std::vector<std::string> rows;  // as JSON with the position, to compare
  std::string end_position;
};

struct Reading {
  std::vector<ReadBatch> batches;
  std::string problem;       // a call failed or a batch was malformed
  std::string release_problem;
  bool complete = false;     // reached the end of the partition
};

class KitSource {
 public:
  KitSource(const FerrySourceApi& api, KitHost& host) : api_(api), host_(host) {}
  ~KitSource() {
    if (handle_) api_.close(handle_);
  }
  KitSource(const KitSource&) = delete;
  KitSource& operator=(const KitSource&) = delete;

  std::string open(const KitOpen& o) {
    const FerryOpenArgs args = kit_open_args(o, host_, "conformance-source", kBatchRecords);
    return call("open", api_.open(&args, &handle_));
  }
  std::string partitions(std::vector<std::string>& out) {
    const FerryBytes* names = nullptr;
    size_t count = 0;
    const std::string said = call("partitions", api_.partitions(handle_, &names, &count));
    for (size_t i = 0; said.empty() && i < count; ++i)
      out.emplace_back(names[i].data ? names[i].data : "", names[i].size);
    return said;
  }
  // Reads `partition` from `position` (or the start) to its end.
  Reading read(const std::string& partition, const std::optional<std::string>& position) {
    Reading r;
    const FerryBytes pos = position ? FerryBytes{position->data(), position->size()} : FerryBytes{nullptr, 0};
    r.problem = call("start", api_.start(handle_, FerryBytes{partition.data(), partition.size()},
                                         position ? &pos : nullptr));
    while (r.problem.empty() && r.batches.size() < kMaxBatches) {
      FerryBatch b{};
      const FerryStatus st = api_.next(handle_, &b);
      host_.after_call("next", st);
      if (st == FERRY_END_OF_STREAM) {
        r.complete = true;
        break;
      }
      if (st != FERRY_OK) {
        r.problem = "next returned " + status_text(st);
        break;
      }
      ReadBatch got;
      for (size_t i = 0; i < b.n_rows; ++i) {
        const FerryBytes p = b.records ? b.records[i].position : FerryBytes{nullptr, 0};
        got.rows.push_back(std::string(p.data ? p.data : "", p.size) + " " + row_to_json(b, i));
      }
      got.end_position.assign(b.end_position.data ? b.end_position.data : "", b.end_position.size);
      const std::string part(b.partition.data ? b.partition.data : "", b.partition.size);
      if (part != partition)
        r.problem = "a batch of partition '" + partition + "' names partition '" + part + "'";
      else if (b.n_rows > 0 && b.records == nullptr)
        r.problem = "a batch of " + std::to_string(b.n_rows) + " rows has no record metadata";
      if (b.release == nullptr) {
        r.release_problem = "a batch has no release callback, so its memory can never be given back";
      } else {
        b.release(&b);
        if (b.release != nullptr && r.release_problem.empty())
          r.release_problem = "release() left the batch's release callback set; a released batch has "
                              "release == NULL, so nobody releases it twice";
      }
      r.batches.push_back(std::move(got));
    }
    return r;
  }

 private:
  std::string call(const char* name, FerryStatus st) { return host_.expect_ok(name, st); }

  const FerrySourceApi& api_;
  KitHost& host_;
  FerryInstance handle_ = nullptr;
};

std::vector<std::string> rows_after(const std::vector<ReadBatch>& batches, size_t batch) {
  std::vector<std::string> rows;
  for (size_t i = batch + 1; i < batches.size(); ++i)
    rows.insert(rows.end(), batches[i].rows.begin(), batches[i].rows.end());
  return rows;
}

}  // namespace

CheckResults check_source_contract(const LoadedPlugin& plugin, const KitOpen& o) {
  CheckResults results;
  KitHost host;
  const FerrySourceApi& api = *plugin.source();
  KitSource source(api, host);
  std::vector<std::string> partitions;
  std::string said = source.open(o);
  if (said.empty()) said = source.partitions(partitions);
  if (!said.empty()) {
    results.push_back(fail("source: read to the end", said));
    results.push_back(errors_check("source", host));
    return results;
  }
  if (partitions.size() > kMaxPartitions) partitions.resize(kMaxPartitions);
  std::vector<std::pair<std::string, Reading>> readings;
  size_t rows = 0, batches = 0;
  std::string read_problem, release_problem;
  for (const std::string& p : partitions) {
    Reading r = source.read(p, std::nullopt);
    for (const ReadBatch& b : r.batches) rows += b.rows.size();
    batches += r.batches.size();
    if (read_problem.empty() && !r.problem.empty()) read_problem = "partition '" + p + "': " + r.problem;
    if (release_problem.empty() && !r.release_problem.empty()) release_problem = r.release_problem;
    readings.emplace_back(p, std::move(r));
  }
  const std::string read_detail = std::to_string(partitions.size()) + " partition(s), " + std::to_string(batches) +
                                  " batch(es), " + std::to_string(rows) + " row(s)";
  results.push_back(read_problem.empty() ? pass("source: read to the end", read_detail)
                                         : fail("source: read to the end", read_problem));
  results.push_back(release_problem.empty() ? pass("source: batches released once")
                                            : fail("source: batches released once", release_problem));

  // Resumed from a batch's end position, the source yields exactly the
  // rows after that batch: nothing lost, nothing repeated.
  std::string resume_problem;
  size_t resumes = 0;
  for (const auto& [partition, reading] : readings) {
    if (!reading.complete || !resume_problem.empty()) continue;
    const size_t n = reading.batches.size();
    const size_t step = n > kMaxResumes ? (n + kMaxResumes - 1) / kMaxResumes : 1;
    for (size_t i = 0; i < n && resume_problem.empty(); i += step) {
      const std::string& position = reading.batches[i].end_position;
      Reading again = source.read(partition, position);
      ++resumes;
      std::vector<std::string> got;
      for (const ReadBatch& b : again.batches) got.insert(got.end(), b.rows.begin(), b.rows.end());
      const std::vector<std::string> want = rows_after(reading.batches, i);
      if (!again.problem.empty()) {
        resume_problem = "resumed from '" + position + "': " + again.problem;
      } else if (got != want) {
        resume_problem = "resumed from '" + position + "' (the end of batch " + std::to_string(i + 1) +
                         " of partition '" + partition + "'): " + std::to_string(got.size()) +
                         " row(s) instead of the " + std::to_string(want.size()) + " that followed it";
        for (size_t k = 0; k < std::min(got.size(), want.size()); ++k)
          if (got[k] != want[k]) {
            resume_problem += "; the first that differs is row " + std::to_string(k + 1) + ": " + got[k];
            break;
          }
      }
    }
  }
  if (!read_problem.empty()) {
    results.push_back(skip("source: resumes exactly", "reading did not succeed"));
  } else if (!resume_problem.empty()) {
    results.push_back(fail("source: resumes exactly", resume_problem));
  } else if (resumes == 0) {
    results.push_back(skip("source: resumes exactly", "no partition was read to its end within " +
                                                          std::to_string(kMaxBatches) + " batches"));
  } else {
    results.push_back(pass("source: resumes exactly", "from " + std::to_string(resumes) + " batch end(s)"));
  }
  results.push_back(errors_check("source", host));
  return results;
}

}  // namespace ferry::core
