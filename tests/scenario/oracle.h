// The invariants every path of Ferry keeps, checked against what the
// scenario source holds (design notes §8):
// - an exactly-once (transactional) sink has each record once, or the DLQ
//   has it for that sink (pending or failed_again), never both, never twice;
// - an idempotent sink has each record at least once or the DLQ has it;
// - a checkpoint never passes a record that is in neither the sink nor the
//   DLQ (nor discarded by the user), and never moves backwards;
// - a resolved entry is in its sink; a discarded one stays discarded;
// - every value arrives as the source made it (a transform ran once);
// - what `ferry status` counts per transactional sink is what it holds.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "scenario/scenario_spec.h"

namespace ferry::scenario {

class Oracle {
 public:
  Oracle(const Spec& spec, std::string dir) : spec_(spec), dir_(std::move(dir)) {}

  // Violations after a step; `clean_end` when the step was a run that
  // succeeded with every sink fixed (then nothing may be missing at all).
  std::vector<std::string> check(bool clean_end);

 private:
  const Spec& spec_;
  std::string dir_;
  std::map<std::string, int64_t> last_checkpoints_;  // never backwards
  std::set<int64_t> discarded_;                      // stays discarded
};

}  // namespace ferry::scenario
