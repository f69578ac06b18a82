// The pipeline's transforms, applied in order to a batch (or from a given
// transform on, for records the DLQ kept after an earlier one). Rows a
// transform refuses are reported per transform, as rows of its input.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/batch_chain.h"
#include "engine/plugin_instances.h"
#include "engine/sink_writer.h"

namespace ferry::core {

struct TransformRejects {
  size_t transform = 0;           // which transform refused them
  size_t input = 0;               // its input batch: chain.at(input)
  std::vector<RowFailure> rows;   // rows of that input
};

class TransformChain {
 public:
  TransformChain() = default;
  explicit TransformChain(std::vector<std::unique_ptr<TransformInstance>> transforms)
      : transforms_(std::move(transforms)) {}

  size_t size() const { return transforms_.size(); }
  const std::string& name(size_t t) const { return transforms_[t]->stage(); }
  // The index of the transform named `name`, or size() when there is none.
  size_t index_of(const std::string& name) const;

  // Applies transform `t` to chain.back() and appends its output; returns
  // the rows it refused.
  std::vector<RowFailure> apply_one(size_t t, BatchChain& chain);
  // Applies transforms [from, size()) in turn.
  std::vector<TransformRejects> apply(BatchChain& chain, size_t from = 0);

  void close() { transforms_.clear(); }

 private:
  std::vector<std::unique_ptr<TransformInstance>> transforms_;
};

}  // namespace ferry::core
