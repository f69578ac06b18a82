// A batch made of some rows of another batch, without copying their bytes:
// used to re-send only the rows that need it (bisection, per-row retries,
// hook events). The source batch must outlive the selection.
#pragma once

#include <vector>

#include <ferry/plugin.h>

namespace ferry::core {

class BatchSelection {
 public:
  BatchSelection(const FerryBatch& source, const std::vector<size_t>& rows) {
    size_t n = source.schema.n_fields;
    values_.reserve(rows.size() * n);
    records_.reserve(rows.size());
    for (size_t r : rows) {
      values_.insert(values_.end(), source.values + r * n, source.values + (r + 1) * n);
      records_.push_back(source.records[r]);
    }
    batch_ = source;
    batch_.n_rows = rows.size();
    batch_.values = values_.data();
    batch_.records = records_.data();
    batch_.release = nullptr;  // borrowed: the host releases the source batch
    batch_.private_data = nullptr;
  }
  BatchSelection(const BatchSelection&) = delete;
  BatchSelection& operator=(const BatchSelection&) = delete;

  const FerryBatch* get() const { return &batch_; }

 private:
  std::vector<FerryValue> values_;
  std::vector<FerryRecordMeta> records_;
  FerryBatch batch_{};
};

}  // namespace ferry::core
