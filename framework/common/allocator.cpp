#include "common/allocator.h"

#include <malloc.h>

namespace ferry::core {

void keep_freed_memory_for_reuse() {
#ifdef M_TRIM_THRESHOLD
  // A batch is built on the reader thread and freed on the writer thread.
  // With glibc's defaults, freeing it often gave the pages back to the OS
  // (trimming, madvise in the reader's arena), and the next batch faulted
  // them in again: at 1,000-row batches, one to four page faults per batch
  // and a quarter of the CPU. Kept instead, they are reused; the peak
  // stays what the queue depth and batch size make it, since only memory
  // that was once in use is kept.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  // Setting the trim threshold fixes the mmap threshold too, which glibc
  // otherwise raises by itself up to 32 MiB: fix it there, so large
  // batches come from the heap, not a fresh mmap each.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}

}  // namespace ferry::core
