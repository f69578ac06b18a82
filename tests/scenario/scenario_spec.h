// A scenario of the scenario checker: a pipeline built from the scenario
// plugins (tests/plugins/scenario_plugin.cpp) and a sequence of steps (runs,
// crashes, kills, replays, discards, backfills), all drawn from one seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ferry::scenario {

struct SinkSpec {
  std::string name;
  bool transactional = true;
  bool required = true;
  uint64_t seed = 1;
  // Faults while the sink is "broken"; a step may run with it fixed.
  int64_t reject_mod = 0;
  int64_t poison_mod = 0;
  int64_t retry_mod = 0;
  int64_t row_retry_mod = 0;
  int64_t lost_reply_mod = 0;
  // After a lost reply, this many questions whether the commit landed fail
  // (at or above max_attempts, the run stops with the outcome unknown).
  int64_t unreachable_after_lost_reply = 0;
  int64_t commit_retry_mod = 0;
  bool down = false;
  // Transactional and one writer at a time: one instance per run, every
  // worker's batches funnelled through it (plugin scenario-single).
  bool single_writer = false;
  // Idempotent and acknowledging later (ABI 1.10, plugin scenario-deferred):
  // with no transactional sink beside it, batches stay in flight.
  bool deferred = false;
  // Idempotent, its output named after each batch's first and last
  // position (ABI 1.11, plugins scenario-named and scenario-named-deferred,
  // as the file and s3 sinks): a batch delivered again must be cut as
  // before, or its records land in two outputs.
  bool named = false;
};

struct Crash {
  enum class Kind { None, SinkPoint, SourceReads, Kill };
  Kind kind = Kind::None;
  size_t sink = 0;
  std::string point;      // before_write, after_write, before_commit, after_commit
  int64_t at = 1;         // that point's n-th call in the process
  int64_t reads = 0;      // SourceReads: die on read reads+1
  int64_t kill_after_ms = 0;
};

struct Step {
  enum class Kind { Run, Replay, Discard, Backfill };
  Kind kind = Kind::Run;
  bool fixed = false;  // the sinks' faults are off
  Crash crash;
  // Replay: which entries (CLI selection); Discard: how many pending ones.
  std::string status;
  std::string sink;
  int ids = 0;  // pick this many current ids (0: no --id)
  int parallelism = 1;
  int batch = 0;  // max_records for this step; 0: the scenario's
};

struct Spec {
  uint64_t seed = 0;
  int partitions = 1;
  int count = 20;
  int batch = 10;
  uint64_t source_seed = 1;
  int64_t errant_mod = 0;
  int64_t source_retry_mod = 0;
  bool same_position = false;
  int days = 0;  // > 0: a backfill scenario, the records spread over this many days
  int transforms = 0;
  int64_t rename_reject_mod = 0;
  int64_t check_reject_mod = 0;
  uint64_t transform_seed = 1;
  std::vector<SinkSpec> sinks;
  std::string policy = "all";
  int max_attempts = 3;
  std::string on_exhausted = "dead_letter";
  std::vector<Step> steps;
};

Spec make_spec(uint64_t seed);
// The pipeline definition for `step` (faults, crashes, parallelism); `dir`
// is where its state and sinks live, relative to the definition's folder.
std::string pipeline_json(const Spec& spec, const Step& step, const std::string& dir);
// One line per step, for a failure report.
std::string describe(const Spec& spec);

}  // namespace ferry::scenario
