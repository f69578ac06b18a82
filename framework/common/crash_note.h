// Where a process that is dying of a fatal signal leaves one line saying
// why, for the next process to record: the lock file of the pipeline it
// holds (state/pipeline_lock.cpp registers it). Writing is async-signal-
// safe; one note slot per process.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace ferry::core {

// The note goes into `fd` at `offset` (after the holder's line).
void crash_note_register(int fd, off_t offset);
// The file is no longer ours (the lock was released).
void crash_note_clear(int fd);
// From a signal handler: writes `text` (one line) where registered.
void crash_note_write(const char* text, size_t size);

}  // namespace ferry::core
