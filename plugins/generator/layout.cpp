#include "layout.h"

namespace ferry_generator {

std::vector<FieldSpec> field_specs(uint64_t n_fields) {
  std::vector<FieldSpec> out;
  out.reserve(n_fields);
  out.push_back(FieldSpec{"id", FieldKind::kId, FERRY_TYPE_INT64});
  static const FieldSpec kCycle[] = {
      {"name", FieldKind::kName, FERRY_TYPE_STRING},
      {"amount", FieldKind::kAmount, FERRY_TYPE_DOUBLE},
      {"ts", FieldKind::kTs, FERRY_TYPE_TIMESTAMP},
  };
  for (uint64_t i = 1; i < n_fields; ++i) {
    const uint64_t round = (i - 1) / 3;
    FieldSpec f = kCycle[(i - 1) % 3];
    if (round > 0) f.name += "_" + std::to_string(round + 1);
    out.push_back(std::move(f));
  }
  return out;
}

IdRange partition_range(uint64_t count, uint64_t partitions, uint64_t index) {
  const uint64_t base = count / partitions;
  const uint64_t extra = count % partitions;
  const uint64_t before = index * base + (index < extra ? index : extra);
  const uint64_t size = base + (index < extra ? 1 : 0);
  return IdRange{before + 1, before + 1 + size};
}

}  // namespace ferry_generator
