// The `file` sink: each batch becomes one JSONL file with a deterministic
// name, staged as a temp file and renamed into place on commit, so a
// replayed batch overwrites its own file (FERRY_CAP_IDEMPOTENT).
#ifndef FERRY_PLUGINS_FILE_FILE_SINK_H_
#define FERRY_PLUGINS_FILE_FILE_SINK_H_

#include <ferry/plugin.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ferry_file {

// A file written but not yet renamed; dropped (unlinked) unless committed.
class StagedFile {
 public:
  StagedFile(std::string temp_path, std::string final_path);
  ~StagedFile();
  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&&) = delete;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;

  void write(const char* data, size_t n);
  // fsync, close and rename into place.
  void commit();

 private:
  std::string temp_path_;
  std::string final_path_;
  int fd_ = -1;
};

// Thread safety: one instance is used by one thread at a time (ABI rule 4).
class FileSink : public ferry::Sink {
 public:
  explicit FileSink(const ferry::Context& ctx);
  // The options alone, without creating the directory (ABI 1.3).
  static void check_config(const ferry::Context& ctx);

  void write(const ferry::BatchView& batch, ferry::Outcomes& outcomes) override;
  void commit(const FerryCheckpoint* checkpoint) override;
  void abort() override;

 private:
  void remove_leftover_temps() const;
  void sync_directory() const;

  ferry::Host host_;
  std::string directory_;
  std::string prefix_;
  std::string temp_prefix_;  // ".tmp-<prefix>-": ours to clean up at open
  std::string window_start_;  // a backfill's window: part of every name
  std::string op_field_;     // records as change events under this field; empty: rows
  std::vector<StagedFile> staged_;
  std::string buffer_;
};

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_FILE_SINK_H_
