#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>

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
    return commit_status(position, 0) == FERRY_OK ? std::string() : "commit returned " + said_;
  }
  // The status alone, for a commit that may rightly be refused.
  FerryStatus commit_status(const std::string& position, uint64_t fence_token, uint32_t flags = 0) {
    static const std::string kPipeline = "conformance", kRun = "conformance-run";
    static const std::string kPart = KitBatch::kPartition;
    FerryCheckpoint c{};
    c.struct_size = sizeof c;
    c.pipeline = FerryBytes{kPipeline.data(), kPipeline.size()};
    c.partition = FerryBytes{kPart.data(), kPart.size()};
    c.position = FerryBytes{position.data(), position.size()};
    c.run_id = FerryBytes{kRun.data(), kRun.size()};
    c.fence_token = fence_token;
    c.flags = flags;
    const FerryStatus st = api_.commit(handle_, &c);
    said_ = host_.after_call("commit", st);
    return st;
  }
  FerryStatus await_status() {
    const FerryStatus st = api_.await_commit(handle_);
    said_ = host_.after_call("await_commit", st);
    return st;
  }
  FerryStatus fence_status(uint64_t token) {
    static const std::string kPart = KitBatch::kPartition;
    const FerryStatus st = api_.fence(handle_, FerryBytes{kPart.data(), kPart.size()}, token);
    said_ = host_.after_call("fence", st);
    return st;
  }
  // The status and message of the last commit_status or fence_status.
  const std::string& said() const { return said_; }
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
  std::string said_;
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

// ABI 1.6: a sink that declares FERRY_CAP_FENCED refuses a commit whose
// token is older than the one it was fenced with, and a fence with an
// older token, and takes the fence's own. The token grows with the clock,
// so a target kept from an earlier check fences afresh.
CheckResult fenced_check(const LoadedPlugin& plugin, KitSink& sink, const std::string& position) {
  const char* name = "sink: fenced";
  if (!plugin.has_capability(FERRY_KIND_SINK, FERRY_CAP_FENCED))
    return skip(name, "does not declare FERRY_CAP_FENCED: never shared by workers");
  if (!plugin.sink_can_fence()) return fail(name, "declares FERRY_CAP_FENCED but fills no fence() in its table");
  const uint64_t token = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  if (sink.fence_status(token) != FERRY_OK)
    return fail(name, "fence(" + std::to_string(token) + ") returned " + sink.said());
  if (sink.commit_status(position, token - 1) != FERRY_FENCED) {
    const std::string said = sink.said();
    sink.abort();
    return fail(name, "a commit with a token older than the fence's returned " + said +
                          ", not FERRY_FENCED: a paused worker could commit after another took its partition");
  }
  sink.abort();
  if (sink.commit_status(position, token) != FERRY_OK)
    return fail(name, "a commit with the fence's own token returned " + sink.said());
  if (sink.fence_status(token - 1) != FERRY_FENCED)
    return fail(name, "fence() with an older token returned " + sink.said());
  return pass(name, "an older token's commit and fence refused, the fence's own token committed");
}

// ABI 1.10: a sink that declares FERRY_CAP_DEFERRED_COMMIT fills
// await_commit, is idempotent and not transactional, and a commit it
// leaves pending is reported by await_commit.
CheckResult deferred_check(const LoadedPlugin& plugin, const FerrySinkApi& api, KitHost& host, const KitOpen& o) {
  const char* name = "sink: deferred commit";
  if (!plugin.has_capability(FERRY_KIND_SINK, FERRY_CAP_DEFERRED_COMMIT))
    return skip(name, "does not declare FERRY_CAP_DEFERRED_COMMIT: every commit finishes when it returns");
  if (!plugin.sink_defers_commits())
    return fail(name, "declares FERRY_CAP_DEFERRED_COMMIT but is transactional, is not idempotent, or fills no "
                      "await_commit() in its table: the host never defers its commits");
  KitSink sink(api, host);
  const KitBatch third(7, 9);
  std::string problem;
  std::string said = sink.open(o);
  if (said.empty()) said = sink.write(third, &problem);
  if (!said.empty() || !problem.empty()) return fail(name, said.empty() ? problem : said);
  const FerryStatus st = sink.commit_status(third.end_position(), 0, FERRY_COMMIT_MAY_DEFER);
  if (st == FERRY_OK) return pass(name, "the commit finished at once");
  if (st != FERRY_PENDING) return fail(name, "a commit that may be deferred returned " + sink.said());
  if (sink.await_status() != FERRY_OK) return fail(name, "await_commit of the pending commit returned " + sink.said());
  return pass(name, "a pending commit, then await_commit answered FERRY_OK");
}

}  // namespace

CheckResults check_sink_contract(const LoadedPlugin& plugin, const KitOpen& o) {
  CheckResults results;
  KitHost host;
  const FerrySinkApi& api = *plugin.sink();
  const KitBatch first(1, 3), second(4, 6);
  std::string outcome_problem;
  std::optional<CheckResult> fenced_check_result;  // reported after the checkpoint's
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
    if (said.empty() && outcome_problem.empty()) fenced_check_result = fenced_check(plugin, sink, second.end_position());
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
  if (fenced_check_result) results.push_back(*fenced_check_result);
  results.push_back(deferred_check(plugin, api, host, o));
  results.push_back(errors_check("sink", host));
  return results;
}

}  // namespace ferry::core
