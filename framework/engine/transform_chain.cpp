#include "engine/transform_chain.h"

#include <algorithm>

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
  // The fields of every part, by name, in order of first appearance: a
  // source that infers its schema per batch (JSON Lines) gives a part only
  // the fields its rows have, as the batch once read whole had them all. A
  // field all null in a part takes its type from the others.
  struct Field {
    std::string name;
    FerryType type;
    uint32_t flags;
  };
  std::vector<Field> fields;
  std::vector<std::vector<size_t>> column_of(parts.size());  // per part: its field's column
  for (size_t p = 0; p < parts.size(); ++p) {
    const FerrySchema& schema = parts[p]->schema;
    for (size_t f = 0; f < schema.n_fields; ++f) {
      const FerryField& field = schema.fields[f];
      const std::string name = to_string(field.name);
      auto it = std::find_if(fields.begin(), fields.end(), [&](const Field& x) { return x.name == name; });
      if (it == fields.end()) {
        fields.push_back({name, field.type, field.flags});
        it = fields.end() - 1;
      } else if (it->type == FERRY_TYPE_NULL) {
        it->type = field.type;
      } else if (field.type != FERRY_TYPE_NULL && field.type != it->type) {
        throw Error("a batch an interrupted run delivered now spans source batches in which field '" + name +
                    "' has two types; it cannot be read again as it was delivered");
      }
      column_of[p].push_back(static_cast<size_t>(it - fields.begin()));
    }
  }
  ferry::BatchBuilder b;
  for (const Field& f : fields) b.add_field(f.name, f.type, f.flags);
  for (size_t p = 0; p < parts.size(); ++p) {
    const FerryBatch& part = *parts[p];
    const size_t n = part.schema.n_fields;
    for (size_t r = 0; r < part.n_rows; ++r) {
      const FerryRecordMeta& m = part.records[r];
      const size_t row = b.add_row(std::string_view(m.key.data, m.key.size),
                                   std::string_view(m.position.data, m.position.size), m.op);
      for (size_t f = 0; f < n; ++f)
        if (part.values[r * n + f].type != FERRY_TYPE_NULL) b.set_value(row, column_of[p][f], part.values[r * n + f]);
    }
  }
  const FerryBatch& first = *parts.front();
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
