#include "engine/transform_chain.h"

#include <ferry/plugin.hpp>

#include "common/error.h"

namespace ferry::core {

FerryBatch copy_rows(const FerryBatch& in, size_t begin, size_t end, std::string_view end_position) {
  ferry::BatchBuilder b;
  const size_t n = in.schema.n_fields;
  for (size_t f = 0; f < n; ++f) {
    const FerryField& field = in.schema.fields[f];
    b.add_field(std::string_view(field.name.data, field.name.size), field.type, field.flags);
  }
  b.reserve(end - begin);
  for (size_t r = begin; r < end; ++r) {
    const FerryRecordMeta& m = in.records[r];
    const size_t row = b.add_row(std::string_view(m.key.data, m.key.size),
                                 std::string_view(m.position.data, m.position.size), m.op);
    for (size_t f = 0; f < n; ++f) b.set_value(row, f, in.values[r * n + f]);
  }
  FerryBatch out{};
  b.finish(&out, std::string_view(in.partition.data, in.partition.size), end_position);
  return out;
}

FerryBatch join_rows(const std::vector<const FerryBatch*>& parts, std::string_view end_position) {
  const FerryBatch& first = *parts.front();
  const size_t n = first.schema.n_fields;
  for (const FerryBatch* p : parts) {
    bool same = p->schema.n_fields == n;
    for (size_t f = 0; same && f < n; ++f)
      same = to_string(p->schema.fields[f].name) == to_string(first.schema.fields[f].name) &&
             p->schema.fields[f].type == first.schema.fields[f].type;
    if (!same)
      throw Error("the batch an interrupted run left in some sinks now spans source batches of different schemas; "
                  "it cannot be delivered again to exactly the sinks that lack it");
  }
  ferry::BatchBuilder b;
  for (size_t f = 0; f < n; ++f) {
    const FerryField& field = first.schema.fields[f];
    b.add_field(std::string_view(field.name.data, field.name.size), field.type, field.flags);
  }
  for (const FerryBatch* p : parts)
    for (size_t r = 0; r < p->n_rows; ++r) {
      const FerryRecordMeta& m = p->records[r];
      const size_t row = b.add_row(std::string_view(m.key.data, m.key.size),
                                   std::string_view(m.position.data, m.position.size), m.op);
      for (size_t f = 0; f < n; ++f) b.set_value(row, f, p->values[r * n + f]);
    }
  FerryBatch out{};
  b.finish(&out, std::string_view(first.partition.data, first.partition.size), end_position);
  return out;
}

size_t TransformChain::index_of(const std::string& name) const {
  for (size_t t = 0; t < transforms_.size(); ++t)
    if (transforms_[t]->stage() == name) return t;
  return transforms_.size();
}

std::vector<RowFailure> TransformChain::apply_one(size_t t, BatchChain& chain) {
  const FerryBatch& in = chain.back();
  std::vector<FerryRecordOutcome> outcomes(in.n_rows);
  FerryBatch out{};
  transforms_[t]->apply(&in, &out, outcomes.data());
  std::vector<RowFailure> failures;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i].status == FERRY_OK) continue;
    failures.push_back({i, status_name(outcomes[i].status), to_string(outcomes[i].message), 1});
  }
  chain.push(out);
  return failures;
}

std::vector<TransformRejects> TransformChain::apply(BatchChain& chain, size_t from) {
  std::vector<TransformRejects> out;
  for (size_t t = from; t < transforms_.size(); ++t) {
    const size_t input = chain.size() - 1;
    std::vector<RowFailure> failures = apply_one(t, chain);
    if (!failures.empty()) out.push_back({t, input, std::move(failures)});
  }
  return out;
}

}  // namespace ferry::core
