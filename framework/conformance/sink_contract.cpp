#include <cstdio>
#include <cstdlib>

#include "conformance/contracts.h"
#include "conformance/kit_batch.h"
#include "conformance/kit_host.h"

namespace ferry::core {
namespace {

// One sink instance, closed at scope end.
class KitSink {
 public:
  KitSink(const FerrySinkApi& api, KitHost& host) : api_(api), host_(host) {}
  ~KitSink() {
    if (handle_) api_.close(handle_);
  }
  KitSink(const KitSink&) = delete;
  KitSink& operator=(const KitSink&) = delete;

  // "" when the call returned FERRY_OK, else what it said.
  std::string open(const KitOpen& o) {
    const FerryOpenArgs args = kit_open_args(o, host_, "conformance-sink");
    return call("open", api_.open(&args, &handle_));
  }
  std::string write(const KitBatch& b, std::string* outcome_problem) {
    std::vector<FerryRecordOutcome> outcomes = fresh_outcomes(b.batch().n_rows);
    const std::string said = call("write", api_.write(handle_, &b.batch(), outcomes.data()));
    if (said.empty()) *outcome_problem = outcome_problems(outcomes);
    if (said.empty() && outcome_problem->empty())
      for (const FerryRecordOutcome& o : outcomes)
        if (o.status != FERRY_OK) return "refused rows the kit expects every sink to take";
    return said;
  }
  std::string abort() { return call("abort", api_.abort(handle_)); }
  std::string commit(const std::string& position) {
    static const std::string kPipeline = "conformance", kRun = "conformance-run";
    static const std::string kPart = KitBatch::kPartition;
    FerryCheckpoint c{};
    c.struct_size = sizeof c;
    c.pipeline = FerryBytes{kPipeline.data(), kPipeline.size()};
    c.partition = FerryBytes{kPart.data(), kPart.size()};
    c.position = FerryBytes{position.data(), position.size()};
    c.run_id = FerryBytes{kRun.data(), kRun.size()};
    return call("commit", api_.commit(handle_, &c));
  }
  // The position the sink holds, "(none)" when it holds none.
  std::string held(std::string* said) {
    static const std::string kPart = KitBatch::kPartition;
    FerryBytes position{nullptr, 0};
    int32_t found = 0;
    *said = call("checkpoint", api_.checkpoint(handle_, FerryBytes{kPart.data(), kPart.size()}, &position, &found));
    if (!said->empty() || !found) return "(none)";
    return std::string(position.data ? position.data : "", position.size);
  }

 private:
  std::string call(const char* name, FerryStatus st) { return host_.expect_ok(name, st); }

  const FerrySinkApi& api_;
  KitHost& host_;
  FerryInstance handle_ = nullptr;
};

// The number the author's command prints, or why there is none.
bool count_rows(const std::string& command, long long* rows, std::string* why) {
  std::FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) {
    *why = "cannot run it";
    return false;
  }
  std::string out;
  char buf[256];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  char* end = nullptr;
  *rows = std::strtoll(out.c_str(), &end, 10);
  if (status != 0 || end == out.c_str()) {
    *why = "it exited with status " + std::to_string(status) + " and printed \"" + out.substr(0, 80) + "\"";
    return false;
  }
  return true;
}

}  // namespace

CheckResults check_sink_contract(const LoadedPlugin& plugin, const KitOpen& o) {
  CheckResults results;
  KitHost host;
  const FerrySinkApi& api = *plugin.sink();
  const KitBatch first(1, 3), second(4, 6);
  std::string outcome_problem;
  long long rows_before = 0;
  std::string count_problem;
  if (!o.count_command.empty() && !count_rows(o.count_command, &rows_before, &count_problem))
    count_problem = "--count-rows before the writes: " + count_problem;
  {
    KitSink sink(api, host);
    std::string said = sink.open(o);
    if (said.empty()) said = sink.write(first, &outcome_problem);
    if (said.empty() && outcome_problem.empty()) said = sink.abort();
    if (said.empty() && outcome_problem.empty()) said = sink.write(second, &outcome_problem);
    if (said.empty() && outcome_problem.empty()) said = sink.commit(second.end_position());
    if (!said.empty()) {
      results.push_back(fail("sink: write, abort, write, commit", said));
    } else {
      results.push_back(pass("sink: write, abort, write, commit", "rows 1-3 aborted, rows 4-6 committed"));
    }
    results.push_back(outcome_problem.empty() ? pass("sink: per-row outcomes")
                                              : fail("sink: per-row outcomes", outcome_problem));
    // Rows 1-3 were aborted and rows 4-6 committed: the target grew by 3.
    long long rows_after = 0;
    if (o.count_command.empty()) {
      results.push_back(skip("sink: commits once", "give --count-rows COMMAND to count the target's rows"));
    } else if (!said.empty() || !outcome_problem.empty()) {
      results.push_back(skip("sink: commits once", "the commit did not happen"));
    } else if (!count_problem.empty() || !count_rows(o.count_command, &rows_after, &count_problem)) {
      results.push_back(fail("sink: commits once", count_problem.empty() ? "--count-rows failed" : count_problem));
    } else if (rows_after - rows_before != 3) {
      results.push_back(fail("sink: commits once",
                             "the target gained " + std::to_string(rows_after - rows_before) +
                                 " row(s); 3 were committed (rows 4-6) and 3 aborted (rows 1-3)"));
    } else {
      results.push_back(pass("sink: commits once", "the target gained exactly the 3 committed rows"));
    }
    if (!said.empty() || !outcome_problem.empty()) {
      results.push_back(skip("sink: checkpoint held", "the commit did not happen"));
    } else if (!plugin.has_capability(FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL)) {
      results.push_back(skip("sink: checkpoint held", "not transactional: the host keeps the checkpoint"));
    } else {
      std::string asked;
      const std::string now = sink.held(&asked);
      if (!asked.empty()) {
        results.push_back(fail("sink: checkpoint held", asked));
      } else if (now != second.end_position()) {
        results.push_back(fail("sink: checkpoint held", "after committing position " + second.end_position() +
                                                            ", checkpoint() says " + now));
      } else {
        // Closed and opened again, as after a restart: still there.
        results.push_back(pass("sink: checkpoint held", "position " + now + " after the commit"));
      }
    }
  }
  if (results.back().verdict == CheckResult::Verdict::Pass && results.back().name == "sink: checkpoint held") {
    KitSink again(api, host);
    std::string asked = again.open(o);
    const std::string later = asked.empty() ? again.held(&asked) : "";
    if (!asked.empty()) {
      results.back() = fail("sink: checkpoint held", "after reopening, " + asked);
    } else if (later != second.end_position()) {
      results.back() = fail("sink: checkpoint held", "after closing and reopening, checkpoint() says " + later +
                                                         " instead of " + second.end_position());
    } else {
      results.back().detail += " and after reopening";
    }
  }
  results.push_back(errors_check("sink", host));
  return results;
}

}  // namespace ferry::core
