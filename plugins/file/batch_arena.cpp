#include "batch_arena.h"

#include <cstdint>

namespace ferry_file {

void BatchArena::reset() {
  current_ = 0;
  used_ = 0;
  large_.clear();
}

void* BatchArena::do_allocate(size_t n, size_t align) {
  if (n > chunk_size_ / 4) {
    // Big strings and arrays get their own block (over-allocated to align).
    large_.push_back(std::make_unique<unsigned char[]>(n + align));
    auto p = reinterpret_cast<uintptr_t>(large_.back().get());
    return reinterpret_cast<void*>((p + align - 1) & ~(uintptr_t{align} - 1));
  }
  for (;;) {
    if (current_ < chunks_.size()) {
      const auto base = reinterpret_cast<uintptr_t>(chunks_[current_].get());
      const uintptr_t p = (base + used_ + align - 1) & ~(uintptr_t{align} - 1);
      if (p + n <= base + chunk_size_) {
        used_ = p + n - base;
        return reinterpret_cast<void*>(p);
      }
      ++current_;
      used_ = 0;
      continue;
    }
    chunks_.push_back(std::make_unique<unsigned char[]>(chunk_size_));
  }
}

}  // namespace ferry_file
