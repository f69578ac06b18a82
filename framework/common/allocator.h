// How the host asks glibc's allocator to treat batch memory.
#pragma once

namespace ferry::core {

// Keeps freed memory in the process for the next batch instead of handing
// it back to the OS (called once, before any thread starts).
void keep_freed_memory_for_reuse();

}  // namespace ferry::core
