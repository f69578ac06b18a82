#include "common/crash_note.h"

#include <unistd.h>

#include <atomic>

namespace ferry::core {
namespace {

// Lock-free so that a signal handler can read them at any moment.
std::atomic<int> g_fd{-1};
std::atomic<off_t> g_offset{0};

}  // namespace

void crash_note_register(int fd, off_t offset) {
  g_offset.store(offset);
  g_fd.store(fd);
}

void crash_note_clear(int fd) {
  int expected = fd;
  g_fd.compare_exchange_strong(expected, -1);
}

void crash_note_write(const char* text, size_t size) {
  const int fd = g_fd.load();
  if (fd < 0) return;
  off_t at = g_offset.load();
  while (size > 0) {
    const ssize_t n = pwrite(fd, text, size, at);
    if (n <= 0) return;
    text += n;
    size -= static_cast<size_t>(n);
    at += n;
  }
}

}  // namespace ferry::core
