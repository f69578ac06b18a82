// Counts the syncs SQLite asks of write-ahead logs in this process: the
// default VFS, wrapped for the counter's lifetime. What the counter sees is
// what reaches the disk's sync, so a test can tell a commit that survives a
// power cut from one that does not.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <stdexcept>

namespace ferry::test {

class WalSyncCounter {
 public:
  WalSyncCounter() {
    if (current_ != nullptr) throw std::logic_error("one WalSyncCounter at a time");
    real_ = sqlite3_vfs_find(nullptr);
    vfs_ = *real_;
    vfs_.zName = "ferry-wal-sync-counter";
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + real_->szOsFile;
    vfs_.xOpen = &open;
    vfs_.pNext = nullptr;
    current_ = this;
    if (sqlite3_vfs_register(&vfs_, 1) != SQLITE_OK) throw std::runtime_error("cannot register the VFS");
  }
  ~WalSyncCounter() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(real_, 1);
    current_ = nullptr;
  }
  WalSyncCounter(const WalSyncCounter&) = delete;
  WalSyncCounter& operator=(const WalSyncCounter&) = delete;

  int wal_syncs() const { return wal_syncs_.load(); }
  // WAL writes in all, and how many of them the last sync covered.
  int wal_writes() const { return wal_writes_.load(); }
  int wal_writes_synced() const { return wal_writes_synced_.load(); }

 private:
  // Ours, with the real VFS's file right behind it.
  struct File {
    sqlite3_file base;
    bool wal;
  };
  static sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<sqlite3_file*>(reinterpret_cast<File*>(f) + 1); }
  static const sqlite3_io_methods* inner(sqlite3_file* f) { return real(f)->pMethods; }

  static int open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
    File* file = reinterpret_cast<File*>(f);
    file->base.pMethods = nullptr;
    const int rc = current_->real_->xOpen(current_->real_, name, real(f), flags, out_flags);
    if (rc != SQLITE_OK || real(f)->pMethods == nullptr) return rc;
    file->wal = (flags & SQLITE_OPEN_WAL) != 0;
    file->base.pMethods = &kMethods;
    return rc;
  }
  static int sync(sqlite3_file* f, int flags) {
    if (reinterpret_cast<File*>(f)->wal) {
      ++current_->wal_syncs_;
      current_->wal_writes_synced_ = current_->wal_writes_.load();
    }
    return inner(f)->xSync(real(f), flags);
  }

  static int close(sqlite3_file* f) { return inner(f)->xClose(real(f)); }
  static int read(sqlite3_file* f, void* p, int n, sqlite3_int64 at) { return inner(f)->xRead(real(f), p, n, at); }
  static int write(sqlite3_file* f, const void* p, int n, sqlite3_int64 at) {
    if (reinterpret_cast<File*>(f)->wal) ++current_->wal_writes_;
    return inner(f)->xWrite(real(f), p, n, at);
  }
  static int truncate(sqlite3_file* f, sqlite3_int64 size) { return inner(f)->xTruncate(real(f), size); }
  static int file_size(sqlite3_file* f, sqlite3_int64* size) { return inner(f)->xFileSize(real(f), size); }
  static int lock(sqlite3_file* f, int level) { return inner(f)->xLock(real(f), level); }
  static int unlock(sqlite3_file* f, int level) { return inner(f)->xUnlock(real(f), level); }
  static int reserved(sqlite3_file* f, int* out) { return inner(f)->xCheckReservedLock(real(f), out); }
  static int control(sqlite3_file* f, int op, void* arg) { return inner(f)->xFileControl(real(f), op, arg); }
  static int sector_size(sqlite3_file* f) { return inner(f)->xSectorSize(real(f)); }
  static int device(sqlite3_file* f) { return inner(f)->xDeviceCharacteristics(real(f)); }
  static int shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    return inner(f)->xShmMap(real(f), region, size, extend, out);
  }
  static int shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return inner(f)->xShmLock(real(f), offset, n, flags);
  }
  static void shm_barrier(sqlite3_file* f) { inner(f)->xShmBarrier(real(f)); }
  static int shm_unmap(sqlite3_file* f, int remove) { return inner(f)->xShmUnmap(real(f), remove); }
  static int fetch(sqlite3_file* f, sqlite3_int64 at, int n, void** out) {
    return inner(f)->xFetch(real(f), at, n, out);
  }
  static int unfetch(sqlite3_file* f, sqlite3_int64 at, void* p) { return inner(f)->xUnfetch(real(f), at, p); }

  static constexpr sqlite3_io_methods kMethods = {
      3,         &close,       &read,   &write,    &truncate, &sync,        &file_size, &lock,      &unlock,
      &reserved, &control,     &sector_size, &device, &shm_map, &shm_lock, &shm_barrier, &shm_unmap, &fetch,
      &unfetch};

  static inline WalSyncCounter* current_ = nullptr;
  sqlite3_vfs* real_ = nullptr;
  sqlite3_vfs vfs_{};
  std::atomic<int> wal_syncs_{0};
  std::atomic<int> wal_writes_{0};
  std::atomic<int> wal_writes_synced_{0};
};

}  // namespace ferry::test
