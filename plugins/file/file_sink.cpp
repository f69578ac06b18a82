#include "file_sink.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <options/option_reader.h>

#include "text/json_row.h"
#include "naming.h"

namespace ferry_file {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

// Temporary names are unique in the process, not per instance: the workers
// of a parallel run each have an instance, staging into one directory.
std::atomic<uint64_t> next_temp{0};

// Whether the process that staged a temporary file (".tmp-<prefix>-<pid>-<n>")
// may still commit it: this process, or another one alive.
bool staged_by_a_live_process(std::string_view rest) {
  int pid = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
  if (ec != std::errc() || end == rest.data() || pid <= 0) return false;
  if (pid == ::getpid()) return true;
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

[[noreturn]] void io_error(const std::string& what, const std::string& path) {
  throw ferry::Error(FERRY_ERROR_IO, what + " '" + path + "': " + std::strerror(errno));
}

}  // namespace

StagedFile::StagedFile(std::string temp_path, std::string final_path)
    : temp_path_(std::move(temp_path)), final_path_(std::move(final_path)) {
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) io_error("cannot create", temp_path_);
}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : temp_path_(std::move(other.temp_path_)),
      final_path_(std::move(other.final_path_)),
      fd_(other.fd_) {
  other.fd_ = -1;
  other.temp_path_.clear();
}

StagedFile::~StagedFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void StagedFile::write(const char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd_, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      io_error("cannot write", temp_path_);
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
}

void StagedFile::commit() {
  if (::fsync(fd_) != 0) io_error("cannot fsync", temp_path_);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) io_error("cannot close", temp_path_);
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0)
    io_error("cannot rename into place", final_path_);
  temp_path_.clear();
}

namespace {

struct SinkNames {
  std::string directory, prefix, op_field;
};

// The output directory, file name prefix and op field from the options.
SinkNames sink_names(const ferry::Context& ctx) {
  const ferry::support::OptionReader in(ctx, "file sink");
  const std::string directory = in.string("directory");
  if (directory.empty()) in.fail("option 'directory' is required");
  std::string prefix;
  if (in.has("prefix")) {
    prefix = in.string("prefix");
    if (prefix.empty() || sanitize(prefix) != prefix)
      in.fail("option 'prefix': expected a non-empty name of [A-Za-z0-9._-]");
  } else {
    prefix = sanitize(ctx.pipeline());
    if (prefix.empty()) prefix = "ferry";
  }
  std::string op_field = in.string("op_field");
  if (in.has("op_field") && op_field.empty()) in.fail("option 'op_field': expected a field name");
  return {ctx.resolve_path(directory), prefix, std::move(op_field)};
}

}  // namespace

void FileSink::check_config(const ferry::Context& ctx) { sink_names(ctx); }

FileSink::FileSink(const ferry::Context& ctx) : host_(ctx.host()) {
  SinkNames names = sink_names(ctx);
  directory_ = std::move(names.directory);
  prefix_ = std::move(names.prefix);
  op_field_ = std::move(names.op_field);
  temp_prefix_ = ".tmp-" + prefix_ + "-";
  window_start_ = std::string(ctx.window_start());
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  if (ec)
    throw ferry::Error(FERRY_ERROR_IO,
                       "cannot create directory '" + directory_ + "': " + ec.message());
  remove_leftover_temps();
}

void FileSink::remove_leftover_temps() const {
  // A crash between write and commit leaves temp files; nothing refers to
  // them (their batch will be replayed), so they are garbage. Those of a
  // live process (a sibling instance, another worker) are not.
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(directory_.c_str()), &::closedir);
  if (!dir) io_error("cannot list", directory_);
  while (const dirent* e = ::readdir(dir.get())) {
    if (std::strncmp(e->d_name, temp_prefix_.c_str(), temp_prefix_.size()) != 0) continue;
    if (staged_by_a_live_process(std::string_view(e->d_name).substr(temp_prefix_.size()))) continue;
    const std::string path = directory_ + "/" + e->d_name;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) io_error("cannot remove", path);
  }
}

void FileSink::write(const ferry::BatchView& batch, ferry::Outcomes& outcomes) {
  if (batch.rows() == 0) return;
  if (std::optional<std::string> clash = ferry::support::op_field_clash(batch, op_field_)) {
    for (size_t row = 0; row < batch.rows(); ++row) outcomes.reject(row, "file sink: " + *clash, FERRY_INVALID_DATA);
    return;
  }
  const std::string name = batch_file_name(prefix_, batch.partition(), batch.position(0),
                                           batch.position(batch.rows() - 1), window_start_);
  const std::string temp = directory_ + "/" + temp_prefix_ + std::to_string(::getpid()) + "-" +
                           std::to_string(next_temp++);
  StagedFile file(temp, directory_ + "/" + name);
  const ferry::support::JsonRowWriter writer(batch, op_field_);
  buffer_.clear();
  for (size_t row = 0; row < batch.rows(); ++row) {
    if (std::optional<std::string> why = writer.append_row(buffer_, row)) {
      outcomes.reject(row, "file sink: " + *why, FERRY_INVALID_DATA);
      continue;
    }
    if (buffer_.size() >= kFlushBytes) {
      file.write(buffer_.data(), buffer_.size());
      buffer_.clear();
    }
  }
  file.write(buffer_.data(), buffer_.size());
  // Keep the working buffer from pinning a huge batch's worth of memory.
  if (buffer_.capacity() > 4 * kFlushBytes) std::string().swap(buffer_);
  staged_.push_back(std::move(file));
}

void FileSink::sync_directory() const {
  const int fd = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) io_error("cannot open", directory_);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) io_error("cannot fsync", directory_);
}

void FileSink::commit(const FerryCheckpoint* /*checkpoint*/) {
  if (staged_.empty()) return;
  for (StagedFile& f : staged_) f.commit();
  staged_.clear();
  // The renames are durable only once the directory entry is.
  sync_directory();
}

void FileSink::abort() { staged_.clear(); }

}  // namespace ferry_file
