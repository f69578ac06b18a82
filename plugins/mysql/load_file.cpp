#include "load_file.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "timestamp.h"

namespace ferry_mysql {
namespace {

// Written out in pieces of about this size, so the buffer stays small
// whatever the batch.
constexpr size_t kFlushBytes = 1 << 20;

// The answers to LOAD DATA LOCAL when local_infile is off: MariaDB's,
// MySQL's before and since 8.0.19, and a client library's own refusal.
constexpr int kLoadLocalDisabled = 4166;
constexpr int kCommandNotAllowed = 1148;
constexpr int kClientLocalFilesDisabled = 3948;
constexpr int kLocalInfileRejected = 2068;  // MySQL's client library
constexpr int kClientUnknownError = 2000;   // MariaDB Connector/C: "Load data local infile forbidden"

[[noreturn]] void io_failure(const std::string& what, int err) {
  throw ferry::Error(FERRY_ERROR_IO, "mysql sink: " + what + ": " + std::strerror(err));
}

void append_escaped(std::string& out, const FerryBytes& bytes) {
  const char* p = bytes.data;
  const char* end = p + bytes.size;
  while (p < end) {
    const char* run = p;
    while (p < end && *p != '\\' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '\0') ++p;
    out.append(run, static_cast<size_t>(p - run));
    if (p == end) break;
    out += '\\';
    switch (*p) {
      case '\t': out += 't'; break;
      case '\n': out += 'n'; break;
      case '\r': out += 'r'; break;
      case '\0': out += '0'; break;
      default: out += *p; break;
    }
    ++p;
  }
}

}  // namespace

bool refuses_local_infile(int code, std::string_view message) {
  if (code == kClientUnknownError) {
    std::string lower(message);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.find("local infile") != std::string::npos;
  }
  return code == kLoadLocalDisabled || code == kCommandNotAllowed || code == kClientLocalFilesDisabled ||
         code == kLocalInfileRejected;
}

bool loadable(const FerryValue& v) {
  switch (v.type) {
    case FERRY_TYPE_NULL:
    case FERRY_TYPE_BOOL:
    case FERRY_TYPE_INT64:
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_JSON:
    case FERRY_TYPE_DECIMAL:
    case FERRY_TYPE_TIMESTAMP:
      return true;
    default:
      return false;
  }
}

void append_load_value(std::string& out, const FerryValue& v) {
  switch (v.type) {
    case FERRY_TYPE_BOOL:
      out += v.as.boolean != 0 ? '1' : '0';
      return;
    case FERRY_TYPE_INT64: {
      char text[24];
      out.append(text, std::to_chars(text, text + sizeof text, v.as.i64).ptr);
      return;
    }
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_JSON:
    case FERRY_TYPE_DECIMAL:
      append_escaped(out, v.as.bytes);
      return;
    case FERRY_TYPE_TIMESTAMP: {
      char text[kDatetimeTextSize];
      out.append(text, format_datetime(v.as.i64, text));
      return;
    }
    default:
      out += "\\N";
      return;
  }
}

LoadFile::LoadFile() {
  fd_ = memfd_create("ferry-mysql-load", MFD_CLOEXEC);
  if (fd_ < 0) io_failure("creating the in-memory file for LOAD DATA", errno);
  path_ = "/proc/self/fd/" + std::to_string(fd_);
  buffer_.reserve(kFlushBytes + 4096);
}

LoadFile::~LoadFile() {
  if (fd_ >= 0) ::close(fd_);
}

void LoadFile::clear() {
  buffer_.clear();
  if (::ftruncate(fd_, 0) != 0) io_failure("emptying the in-memory file for LOAD DATA", errno);
  if (::lseek(fd_, 0, SEEK_SET) < 0) io_failure("rewinding the in-memory file for LOAD DATA", errno);
}

void LoadFile::add_row(const ferry::BatchView& batch, size_t row) {
  for (size_t f = 0; f < batch.fields(); ++f) {
    if (f > 0) buffer_ += '\t';
    append_load_value(buffer_, batch.value(row, f));
  }
  buffer_ += '\n';
  if (buffer_.size() >= kFlushBytes) flush();
}

void LoadFile::flush() {
  const char* p = buffer_.data();
  size_t left = buffer_.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      io_failure("writing the in-memory file for LOAD DATA", errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  buffer_.clear();
}

void LoadFile::finish() {
  flush();
  if (::lseek(fd_, 0, SEEK_SET) < 0) io_failure("rewinding the in-memory file for LOAD DATA", errno);
}

std::string load_statement(const std::string& path, const std::string& table, const std::vector<LoadColumn>& columns) {
  // CHARACTER SET: the connection's, so text converts as in an INSERT.
  // No ENCLOSED BY: the word NULL stays a string; only \N is NULL.
  std::string list, set;
  for (size_t c = 0; c < columns.size(); ++c) {
    if (c > 0) list += ", ";
    if (!columns[c].integer) {
      list += columns[c].quoted;
      continue;
    }
    const std::string var = "@ferry_" + std::to_string(c);
    list += var;
    set += (set.empty() ? " SET " : ", ") + columns[c].quoted + " = CAST(" + var + " AS SIGNED)";
  }
  return "LOAD DATA LOCAL INFILE '" + path + "' INTO TABLE " + table +
         " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" + list +
         ")" + set;
}

}  // namespace ferry_mysql
