// A source batch and each transform's output of it. Outputs may point into
// their inputs, so the chain releases them newest first. A reference to one
// of its batches does not survive push().
#pragma once

#include <string_view>
#include <vector>

#include <ferry/plugin.h>

namespace ferry::core {

class BatchChain {
 public:
  explicit BatchChain(const FerryBatch& first) {
    batches_.reserve(4);
    batches_.push_back(first);
  }
  ~BatchChain() {
    for (auto it = batches_.rbegin(); it != batches_.rend(); ++it)
      if (it->release) it->release(&*it);
  }
  BatchChain(const BatchChain&) = delete;
  BatchChain& operator=(const BatchChain&) = delete;

  void push(const FerryBatch& output) { batches_.push_back(output); }
  const FerryBatch& front() const { return batches_.front(); }
  const FerryBatch& back() const { return batches_.back(); }
  FerryBatch& back() { return batches_.back(); }
  const FerryBatch& at(size_t i) const { return batches_[i]; }
  size_t size() const { return batches_.size(); }

 private:
  std::vector<FerryBatch> batches_;
};

// Rows [begin, end) of `in`, copied into a batch of their own that ends at
// `end_position` (used to cut a source batch where a crash cut a commit).
FerryBatch copy_rows(const FerryBatch& in, size_t begin, size_t end, std::string_view end_position);
// All rows of `parts` in one batch ending at `end_position` (used to put
// back together a batch a crash cut short): its fields are those of every
// part, by name (a field a part lacks is null there). Throws Error when a
// field has two types.
FerryBatch join_rows(const std::vector<const FerryBatch*>& parts, std::string_view end_position);

}  // namespace ferry::core
