// The rows `ferry plugin check` hands to sinks and transforms: ids and
// names, with positions and keys, in a batch the kit owns (release is
// NULL: nothing to give back).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ferry/plugin.h>

namespace ferry::core {

class KitBatch {
 public:
  static constexpr const char* kPartition = "conformance";
  // Rows with ids first..last (names "row-<id>"); the end position is the
  // last id.
  KitBatch(int64_t first, int64_t last);
  KitBatch(const KitBatch&) = delete;
  KitBatch& operator=(const KitBatch&) = delete;

  const FerryBatch& batch() const { return batch_; }
  const std::string& end_position() const { return end_; }

 private:
  std::vector<FerryField> fields_;
  std::vector<std::string> texts_;  // names, keys and positions, kept in place
  std::vector<FerryValue> values_;
  std::vector<FerryRecordMeta> records_;
  std::string end_;
  FerryBatch batch_{};
};

// Outcomes as the host hands them over: n rows, all FERRY_OK.
std::vector<FerryRecordOutcome> fresh_outcomes(size_t n);
// What is wrong with the outcomes a write or apply returned, or "".
std::string outcome_problems(const std::vector<FerryRecordOutcome>& outcomes);

}  // namespace ferry::core
