#include "line_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ferry_file {
namespace {

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " '" + path + "': " + std::strerror(errno);
}

class FileInput : public ByteInput {
 public:
  FileInput(const std::string& path, uint64_t offset) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw IoError(errno_text("cannot open", path));
    if (offset > 0 && ::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) {
      const std::string msg = errno_text("cannot seek in", path);
      ::close(fd_);
      throw IoError(msg);
    }
    // The whole file is read front to back: let the kernel read ahead more.
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  ~FileInput() override { ::close(fd_); }
  FileInput(const FileInput&) = delete;
  FileInput& operator=(const FileInput&) = delete;

  size_t read(char* dst, size_t n) override {
    for (;;) {
      const ssize_t r = ::read(fd_, dst, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) throw IoError(errno_text("cannot read", path_));
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
};

class StringInput : public ByteInput {
 public:
  StringInput(std::string data, uint64_t offset) : data_(std::move(data)) {
    pos_ = std::min<size_t>(offset, data_.size());
  }
  size_t read(char* dst, size_t n) override {
    const size_t k = std::min(n, data_.size() - pos_);
    std::memcpy(dst, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<ByteInput> open_file_input(const std::string& path, uint64_t offset) {
  return std::make_unique<FileInput>(path, offset);
}

std::unique_ptr<ByteInput> string_input(std::string data, uint64_t offset) {
  return std::make_unique<StringInput>(std::move(data), offset);
}

LineReader::LineReader(std::unique_ptr<ByteInput> input, uint64_t offset, uint64_t start_line,
                       ReaderOptions options)
    : input_(std::move(input)),
      opt_(options),
      bom_pending_(options.skip_bom && offset == 0),
      offset_(offset),
      line_(start_line) {
  // A few bytes at least, so that the BOM test can always see three.
  capacity_ = std::max<size_t>(opt_.buffer_size, 16);
  // The buffer may hold more than the limit; a record is measured against
  // the limit itself once whole (next()).
  record_limit_ = opt_.max_record_bytes;
  opt_.max_record_bytes = std::max(opt_.max_record_bytes, capacity_);
  buf_ = std::make_unique<char[]>(capacity_);
}

void LineReader::fill() {
  const size_t n = input_->read(buf_.get() + end_, capacity_ - end_);
  if (n == 0) eof_ = true;
  end_ += n;
}

bool LineReader::make_room(size_t* pos) {
  if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    *pos -= begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ < capacity_) return true;
  if (capacity_ >= opt_.max_record_bytes) return false;
  const size_t grown = std::min(capacity_ * 2, opt_.max_record_bytes);
  auto bigger = std::make_unique<char[]>(grown);
  std::memcpy(bigger.get(), buf_.get(), end_);
  buf_ = std::move(bigger);
  capacity_ = grown;
  return true;
}

void LineReader::skip_bom() {
  bom_pending_ = false;
  size_t unused = begin_;
  while (end_ - begin_ < 3 && !eof_) {
    make_room(&unused);
    fill();
  }
  if (end_ - begin_ >= 3 && std::memcmp(buf_.get() + begin_, "\xEF\xBB\xBF", 3) == 0) {
    begin_ += 3;
    offset_ += 3;
  }
}

size_t LineReader::scan(size_t* pos, CsvState* state, uint64_t* inner_newlines, bool* text_after_quote) const {
  const char* b = buf_.get();
  if (opt_.framing == Framing::kLines) {
    const void* nl = std::memchr(b + *pos, '\n', end_ - *pos);
    *pos = nl ? static_cast<size_t>(static_cast<const char*>(nl) - b) : end_;
    return *pos;
  }
  // RFC 4180 framing. A quote opens a quoted field only at a field start;
  // elsewhere it is an ordinary byte (the CSV parser then rejects the row),
  // so a stray quote cannot swallow the rest of the file.
  const char q = opt_.quote;
  const char d = opt_.delimiter;
  size_t i = *pos;
  CsvState s = *state;
  while (i < end_) {
    if (s == CsvState::kQuoted) {
      const char* p = static_cast<const char*>(std::memchr(b + i, q, end_ - i));
      const char* stop = p ? p : b + end_;
      *inner_newlines += static_cast<uint64_t>(std::count(b + i, stop, '\n'));
      if (!p) {
        i = end_;
        break;
      }
      i = static_cast<size_t>(p - b) + 1;
      s = CsvState::kQuoteInQuoted;
      continue;
    }
    const char c = b[i];
    if (c == '\n') {
      *pos = i;
      *state = s;
      return i;
    }
    if (c == d) {
      s = CsvState::kFieldStart;
    } else if (c == q) {
      // At a field start a quote opens; right after a closing quote it is
      // the second half of an escaped "" pair.
      const bool opens = s == CsvState::kFieldStart || s == CsvState::kQuoteInQuoted;
      s = opens ? CsvState::kQuoted : CsvState::kUnquoted;
    } else {
      if (s == CsvState::kQuoteInQuoted && c != '\r') *text_after_quote = true;
      s = CsvState::kUnquoted;
    }
    ++i;
  }
  *pos = end_;
  *state = s;
  return end_;
}

bool LineReader::next(Record& out) {
  if (bom_pending_) skip_bom();
  if (begin_ == end_) {
    begin_ = end_ = 0;
    if (!eof_) fill();
  }
  if (begin_ == end_ && eof_) return false;

  const uint64_t record_offset = offset_;
  CsvState state = CsvState::kFieldStart;
  uint64_t inner_newlines = 0;
  bool text_after_quote = false;
  bool oversized = false;
  size_t pos = begin_;
  size_t stop = 0;
  for (;;) {
    stop = scan(&pos, &state, &inner_newlines, &text_after_quote);
    if (stop < end_ || eof_) break;
    if (!make_room(&pos)) {
      // The record already fills max_record_bytes: keep its head for the
      // error report and drop the rest as it streams by.
      if (!oversized) {
        oversize_prefix_.assign(buf_.get() + begin_, std::min(kOversizePrefix, end_ - begin_));
        oversized = true;
      }
      offset_ += end_ - begin_;
      begin_ = end_ = pos = 0;
    }
    fill();
  }

  const bool terminated = stop < end_;
  const size_t next_begin = terminated ? stop + 1 : end_;
  size_t text_end = stop;
  if (text_end > begin_ && buf_[text_end - 1] == '\r') --text_end;  // CR LF
  if (!oversized && text_end - begin_ > record_limit_) {
    oversize_prefix_.assign(buf_.get() + begin_, std::min(kOversizePrefix, text_end - begin_));
    oversized = true;
  }
  out.text = oversized ? std::string_view(oversize_prefix_)
                       : std::string_view(buf_.get() + begin_, text_end - begin_);
  out.begin = record_offset;
  out.end = offset_ + (next_begin - begin_);
  out.first_line = line_ + 1;
  // An unterminated record (a CSV quote left open at end of input) may end
  // with a line break of its own: no further line starts after it.
  const bool ends_in_newline = !terminated && stop > begin_ && buf_[stop - 1] == '\n';
  line_ += inner_newlines + (ends_in_newline ? 0 : 1);
  out.lines_after = line_;
  out.terminated = terminated;
  out.oversized = oversized;
  out.quotes_closed = terminated && !text_after_quote;
  offset_ = out.end;
  begin_ = next_begin;
  return true;
}

}  // namespace ferry_file
