// A memory resource for Boost.JSON that a batch's DOM lives in: bump
// allocation in reused chunks, freed all at once by reset().
#ifndef FERRY_PLUGINS_FILE_BATCH_ARENA_H_
#define FERRY_PLUGINS_FILE_BATCH_ARENA_H_

#include <boost/json/memory_resource.hpp>

#include <cstddef>
#include <memory>
#include <vector>

namespace ferry_file {

// Why not boost::json::monotonic_resource: its release() keeps doubling the
// next block size across resets (Boost 1.81), so a reused one soon asks for
// gigabytes; and fresh blocks every batch would page-fault anew each time.
// This one keeps its chunks between batches. Not thread-safe (one batch is
// built by one thread).
class BatchArena : public boost::json::memory_resource {
 public:
  explicit BatchArena(size_t chunk_size = size_t{1} << 20) : chunk_size_(chunk_size) {}

  // Forgets every allocation; keeps the chunks (large ones are freed).
  void reset();

 private:
  void* do_allocate(size_t n, size_t align) override;
  void do_deallocate(void*, size_t, size_t) override {}
  bool do_is_equal(const boost::json::memory_resource& other) const noexcept override {
    return this == &other;
  }

  size_t chunk_size_;
  std::vector<std::unique_ptr<unsigned char[]>> chunks_;
  std::vector<std::unique_ptr<unsigned char[]>> large_;
  size_t current_ = 0;  // index in chunks_
  size_t used_ = 0;     // bytes used in chunks_[current_]
};

}  // namespace ferry_file

namespace boost {
namespace json {
// Values in a BatchArena need no per-value cleanup: destructors skip it.
template <>
struct is_deallocate_trivial<ferry_file::BatchArena> : std::true_type {};
}  // namespace json
}  // namespace boost

#endif  // FERRY_PLUGINS_FILE_BATCH_ARENA_H_
