#include "scenario/scenario_spec.h"

#include <algorithm>
#include <random>
#include <sstream>

namespace ferry::scenario {
namespace {

class Dice {
 public:
  explicit Dice(uint64_t seed) : rng_(seed) {}
  int64_t range(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  // 0 (no fault) or a modulus in [lo, hi].
  int64_t mod(double p, int64_t lo, int64_t hi) { return chance(p) ? range(lo, hi) : 0; }
  uint64_t seed() { return rng_(); }

 private:
  std::mt19937_64 rng_;
};

const char* kPoints[] = {"before_write", "after_write", "before_commit", "after_commit"};

Crash random_crash(Dice& d, const Spec& s) {
  Crash c;
  const int64_t roll = d.range(0, 9);
  if (roll < 4) return c;
  if (roll < 7) {
    c.kind = Crash::Kind::SinkPoint;
    c.sink = static_cast<size_t>(d.range(0, static_cast<int64_t>(s.sinks.size()) - 1));
    c.point = kPoints[d.range(0, 3)];
    c.at = d.range(1, 6);
  } else if (roll < 8) {
    c.kind = Crash::Kind::SourceReads;
    c.reads = d.range(0, 6);
  } else {
    c.kind = Crash::Kind::Kill;
    c.kill_after_ms = d.range(5, 120);
  }
  return c;
}

}  // namespace

Spec make_spec(uint64_t seed) {
  Dice d(seed * 0x9e3779b97f4a7c15ull + 12345);
  Spec s;
  s.seed = seed;
  s.partitions = static_cast<int>(d.range(1, 3));
  s.count = static_cast<int>(d.range(10, 60));
  s.batch = static_cast<int>(d.range(3, 15));
  s.source_seed = d.seed();
  s.errant_mod = d.mod(0.4, 6, 15);
  s.source_retry_mod = d.mod(0.3, 3, 8);
  s.same_position = d.chance(0.15);
  if (d.chance(0.2)) s.days = static_cast<int>(d.range(2, 4));
  s.transforms = static_cast<int>(d.range(0, 2));
  s.rename_reject_mod = d.mod(0.5, 5, 15);
  s.check_reject_mod = d.mod(0.5, 5, 15);
  s.transform_seed = d.seed();

  const int sinks = static_cast<int>(d.range(1, 3));
  for (int i = 0; i < sinks; ++i) {
    SinkSpec k;
    k.name = "s" + std::to_string(i);
    k.transactional = d.chance(0.65);
    k.seed = d.seed();
    k.reject_mod = d.mod(0.5, 4, 15);
    k.poison_mod = d.mod(0.25, 10, 30);
    k.retry_mod = d.mod(0.3, 3, 8);
    k.row_retry_mod = d.mod(0.2, 4, 10);
    k.lost_reply_mod = d.mod(0.25, 2, 5);
    k.commit_retry_mod = d.mod(0.25, 2, 5);
    // From the sink's own seed, not the shared draws: every other choice of
    // an existing seed stays what it was.
    if (k.transactional && k.lost_reply_mod > 0 && k.seed % 3 == 0)
      k.unreachable_after_lost_reply = 1 + static_cast<int64_t>((k.seed >> 8) % 4);
    k.single_writer = k.transactional && (k.seed >> 16) % 3 == 0;
    k.deferred = !k.transactional && (k.seed >> 24) % 3 != 0;
    k.named = !k.transactional && (k.seed >> 32) % 3 == 0;
    s.sinks.push_back(k);
  }
  const int64_t policy = sinks == 1 ? 0 : d.range(0, 2);
  if (policy == 1) {
    s.policy = "required";
    bool any = false;
    for (SinkSpec& k : s.sinks) any |= (k.required = d.chance(0.6));
    if (!any) s.sinks[0].required = true;
  } else if (policy == 2) {
    s.policy = "quorum(" + std::to_string(d.range(1, sinks - 1)) + ")";
  }
  // A sink the policy can do without may be down (it then fills the DLQ).
  if (policy != 0 && d.chance(0.3)) {
    for (SinkSpec& k : s.sinks)
      if (!k.required || policy == 2) {
        k.down = true;
        break;
      }
  }
  // A source's RETRY is retried up to max_attempts: with one attempt every
  // burst would fail the run, which is right but tests nothing.
  s.max_attempts = static_cast<int>(d.range(s.source_retry_mod ? 2 : 1, 4));
  s.on_exhausted = d.chance(0.3) ? "fail" : "dead_letter";

  const bool named = std::any_of(s.sinks.begin(), s.sinks.end(), [](const SinkSpec& k) { return k.named; });
  const int steps = static_cast<int>(d.range(2, 7));
  for (int i = 0; i < steps; ++i) {
    Step st;
    st.fixed = d.chance(0.35);
    st.parallelism = static_cast<int>(d.range(1, 3));
    // A named sink's batches must be cut again as they were, whatever the
    // batch size a later run is given. (Where rows carry their batch's end
    // as position, a new size gives them new positions: the source changed.)
    if (named && !s.same_position && d.chance(0.5)) st.batch = static_cast<int>(d.range(3, 15));
    const int64_t roll = d.range(0, 9);
    if (i == 0 || roll < 5) {
      st.kind = s.days > 0 ? Step::Kind::Backfill : Step::Kind::Run;
      st.crash = random_crash(d, s);
    } else if (roll < 9) {
      st.kind = Step::Kind::Replay;
      const int64_t which = d.range(0, 3);
      if (which == 1) st.status = "failed_again";
      if (which == 2) st.sink = s.sinks[static_cast<size_t>(d.range(0, sinks - 1))].name;
      if (which == 3) st.ids = static_cast<int>(d.range(1, 4));
      if (d.chance(0.4)) st.crash = random_crash(d, s);
    } else {
      st.kind = Step::Kind::Discard;
      st.ids = static_cast<int>(d.range(1, 3));
    }
    s.steps.push_back(st);
  }
  // End healed: every sink fixed, a run and a replay; the invariants hold
  // throughout, and at the end every record is somewhere.
  Step heal;
  heal.kind = s.days > 0 ? Step::Kind::Backfill : Step::Kind::Run;
  heal.fixed = true;
  s.steps.push_back(heal);
  Step replay;
  replay.kind = Step::Kind::Replay;
  replay.fixed = true;
  s.steps.push_back(replay);
  return s;
}

std::string pipeline_json(const Spec& s, const Step& step, const std::string& dir) {
  std::ostringstream o;
  o << R"({"name": "sc", "state": {"type": "sqlite", "path": ")" << dir << R"(/state.db"},)";
  o << R"("source": {"plugin": "scenario", "config": {"partitions": )" << s.partitions << ", \"count\": " << s.count
    << ", \"seed\": " << static_cast<int64_t>(s.source_seed >> 1) << ", \"errant_mod\": " << s.errant_mod
    << ", \"retry_mod\": " << s.source_retry_mod << ", \"same_position\": " << (s.same_position ? "true" : "false")
    << ", \"days\": " << s.days;
  if (step.crash.kind == Crash::Kind::SourceReads) o << ", \"crash_after_reads\": " << step.crash.reads;
  o << "}},";
  o << R"("transforms": [)";
  if (s.transforms >= 1)
    o << R"({"name": "rename", "plugin": "scenario", "config": {"seed": )" << static_cast<int64_t>(s.transform_seed >> 1)
      << ", \"reject_mod\": " << s.rename_reject_mod << "}}";
  if (s.transforms >= 2)
    o << R"(, {"name": "check", "plugin": "scenario", "config": {"rename": false, "seed": )"
      << static_cast<int64_t>(s.transform_seed >> 2) << ", \"reject_mod\": " << s.check_reject_mod << "}}";
  o << "],";
  o << R"("batch": {"max_records": )" << (step.batch ? step.batch : s.batch) << "}, \"parallelism\": "
    << step.parallelism << ",";
  o << R"("retry": {"max_attempts": )" << s.max_attempts
    << R"(, "initial_delay_ms": 1, "max_delay_ms": 2, "on_exhausted": ")" << s.on_exhausted << R"("},)";
  o << R"("commit_policy": ")" << s.policy << R"(", "sinks": [)";
  for (size_t i = 0; i < s.sinks.size(); ++i) {
    const SinkSpec& k = s.sinks[i];
    if (i) o << ", ";
    const char* plugin = k.transactional  ? (k.single_writer ? "scenario-single" : "scenario")
                         : k.named        ? (k.deferred ? "scenario-named-deferred" : "scenario-named")
                         : k.deferred     ? "scenario-deferred"
                                          : "scenario-idem";
    o << R"({"name": ")" << k.name << R"(", "plugin": ")" << plugin
      << R"(", "required": )" << (k.required ? "true" : "false") << R"(, "config": {"dir": ")" << dir
      << R"(", "seed": )" << static_cast<int64_t>(k.seed >> 1);
    if (!step.fixed) {
      o << ", \"reject_mod\": " << k.reject_mod << ", \"poison_mod\": " << k.poison_mod
        << ", \"retry_mod\": " << k.retry_mod << ", \"row_retry_mod\": " << k.row_retry_mod
        << ", \"lost_reply_mod\": " << k.lost_reply_mod << ", \"commit_retry_mod\": " << k.commit_retry_mod;
      if (k.unreachable_after_lost_reply > 0)
        o << ", \"unreachable_after_lost_reply\": " << k.unreachable_after_lost_reply;
      if (k.down) o << R"(, "open_fail": "retry")";
    } else if (k.named && k.poison_mod > 0) {
      // A batch refused whole as invalid stays so (the ABI's promise, which
      // a sink named by batch relies on after a crash): no step fixes it.
      o << ", \"poison_mod\": " << k.poison_mod;
    }
    if (step.crash.kind == Crash::Kind::SinkPoint && step.crash.sink == i)
      o << R"(, "crash_point": ")" << step.crash.point << R"(", "crash_at": )" << step.crash.at;
    o << "}}";
  }
  o << "]}";
  return o.str();
}

std::string describe(const Spec& s) {
  std::ostringstream o;
  o << "partitions " << s.partitions << " x " << s.count << " records, batch " << s.batch << ", errant_mod "
    << s.errant_mod << ", source retry_mod " << s.source_retry_mod << (s.same_position ? ", same positions" : "")
    << (s.days ? ", backfill over " + std::to_string(s.days) + " days" : "") << ", transforms " << s.transforms
    << ", policy " << s.policy << ", attempts " << s.max_attempts << " then " << s.on_exhausted << "\n";
  for (const SinkSpec& k : s.sinks)
    o << "  sink " << k.name << (k.transactional ? " transactional" : " idempotent")
      << (k.single_writer ? " single-writer" : "") << (k.deferred ? " deferred" : "")
      << (k.named ? " named by batch" : "")
      << (k.required ? "" : " (not required)") << ": reject " << k.reject_mod << ", poison " << k.poison_mod
      << ", retry " << k.retry_mod << ", row retry " << k.row_retry_mod << ", lost reply " << k.lost_reply_mod
      << (k.unreachable_after_lost_reply ? " (then unreachable " + std::to_string(k.unreachable_after_lost_reply) + "x)" : "")
      << ", commit retry " << k.commit_retry_mod << (k.down ? ", down" : "") << "\n";
  int n = 0;
  for (const Step& st : s.steps) {
    o << "  step " << ++n << ": ";
    switch (st.kind) {
      case Step::Kind::Run: o << "run"; break;
      case Step::Kind::Backfill: o << "backfill"; break;
      case Step::Kind::Replay: o << "replay"; break;
      case Step::Kind::Discard: o << "discard " << st.ids; break;
    }
    if (!st.status.empty()) o << " --status " << st.status;
    if (!st.sink.empty()) o << " --sink " << st.sink;
    if (st.ids && st.kind == Step::Kind::Replay) o << " --id x" << st.ids;
    o << (st.fixed ? ", sinks fixed" : "") << ", parallelism " << st.parallelism;
    if (st.batch) o << ", batch " << st.batch;
    switch (st.crash.kind) {
      case Crash::Kind::None: break;
      case Crash::Kind::SinkPoint:
        o << ", crash in sink s" << st.crash.sink << " " << st.crash.point << " #" << st.crash.at;
        break;
      case Crash::Kind::SourceReads: o << ", crash on source read " << st.crash.reads + 1; break;
      case Crash::Kind::Kill: o << ", SIGKILL after " << st.crash.kill_after_ms << " ms"; break;
    }
    o << "\n";
  }
  return o.str();
}

}  // namespace ferry::scenario
