// What the generator produces: which ids live in which partition and what
// each field of a row holds. Pure functions of the options, so two runs (or
// a run and its resume) always see identical data.
#ifndef FERRY_PLUGINS_GENERATOR_LAYOUT_H_
#define FERRY_PLUGINS_GENERATOR_LAYOUT_H_

#include <ferry/plugin.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ferry_generator {

// Fixed base of `ts`; the generator never reads the clock.
constexpr int64_t kEpochMicros = 1700000000000000;

enum class FieldKind { kId, kName, kAmount, kTs };

struct FieldSpec {
  std::string name;
  FieldKind kind;
  FerryType type;
};

// Field 0 is `id`; the rest cycle name, amount, ts, name_2, amount_2, ...
std::vector<FieldSpec> field_specs(uint64_t n_fields);

// Ids of one partition: first_id .. end_id - 1. Ids are 1-based and global,
// so position "0" never names a real row.
struct IdRange {
  uint64_t first_id = 1;
  uint64_t end_id = 1;
  uint64_t size() const { return end_id - first_id; }
};

// Rows split evenly: the first (count % partitions) partitions get one more.
IdRange partition_range(uint64_t count, uint64_t partitions, uint64_t index);

// The number the derived fields are computed from: the id itself when seed
// is 0 (so values read "name-<id>"), otherwise a seeded hash of it.
inline uint64_t value_base(uint64_t id, int64_t seed) {
  if (seed == 0) return id;
  // splitmix64: cheap, well mixed, and stable across platforms.
  uint64_t z = id ^ (static_cast<uint64_t>(seed) * 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  // 40 bits keep amount exact in a double and ts within a sane date range.
  return z >> 24;
}

}  // namespace ferry_generator

#endif  // FERRY_PLUGINS_GENERATOR_LAYOUT_H_
