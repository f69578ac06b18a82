// Buffered framing of a byte stream into records: lines (JSONL) or CSV
// records, which may span lines inside quoted fields. Pure C++, no host.
#ifndef FERRY_PLUGINS_FILE_LINE_READER_H_
#define FERRY_PLUGINS_FILE_LINE_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ferry_file {

// A read or open failed (the message names the file and errno text).
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where bytes come from: a file, or a string in tests.
class ByteInput {
 public:
  virtual ~ByteInput() = default;
  // Reads up to `n` bytes; returns 0 only at end of input. Throws IoError.
  virtual size_t read(char* dst, size_t n) = 0;
};

// Opens `path` positioned at byte `offset`. Throws IoError.
std::unique_ptr<ByteInput> open_file_input(const std::string& path, uint64_t offset);
// The bytes of `data` from `offset` on.
std::unique_ptr<ByteInput> string_input(std::string data, uint64_t offset = 0);

enum class Framing {
  kLines,       // a record ends at '\n'
  kCsvRecords,  // a record ends at '\n' outside a quoted field (RFC 4180)
};

struct ReaderOptions {
  Framing framing = Framing::kLines;
  char delimiter = ',';  // kCsvRecords: quotes only open at a field start
  char quote = '"';
  // Initial buffer; it grows (doubling) for longer records.
  size_t buffer_size = size_t{1} << 20;
  // A record longer than this is not buffered whole: the reader keeps its
  // first kOversizePrefix bytes, skips the rest and flags it `oversized`.
  // This keeps memory bounded on a runaway line or an unterminated quote.
  size_t max_record_bytes = size_t{64} << 20;
  // Skip a UTF-8 byte order mark when reading from offset 0.
  bool skip_bom = true;
};

struct Record {
  // The record without its terminator ("\n" or "\r\n"); for an oversized
  // record, its first kOversizePrefix bytes. Valid until the next call.
  std::string_view text;
  uint64_t begin = 0;       // byte offset of its first byte
  uint64_t end = 0;         // byte offset just after its terminator
  uint64_t first_line = 0;  // line number of its first line (see start_line)
  uint64_t lines_after = 0; // lines consumed once it is read
  bool terminated = false;  // false: the last record, cut by end of input
  bool oversized = false;
  // CSV framing: every quoted field of it closed, each right before a
  // delimiter or the line end, and the record ended at a line end. Then its
  // lines are one record even when it is too long to be kept whole.
  bool quotes_closed = true;
};

class LineReader {
 public:
  static constexpr size_t kOversizePrefix = 64 * 1024;

  // `offset` is the byte offset `input` starts at; `start_line` the number
  // of lines before it (records count lines from there).
  LineReader(std::unique_ptr<ByteInput> input, uint64_t offset, uint64_t start_line,
             ReaderOptions options = {});

  // Next record, or false at end of input.
  bool next(Record& out);
  // Offset just after the last record returned (or the start offset).
  uint64_t offset() const { return offset_; }
  uint64_t lines() const { return line_; }

 private:
  enum class CsvState : uint8_t { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };

  // Scans buf_[*pos, end_) for the record terminator; returns its index or
  // end_ when not found yet (then *pos == end_). Counts '\n' inside quotes,
  // and sets *text_after_quote when a closing quote is followed by more
  // than a delimiter or the line end.
  size_t scan(size_t* pos, CsvState* state, uint64_t* inner_newlines, bool* text_after_quote) const;
  // Makes room at the end of the buffer (compacting, growing); false when
  // the buffer already holds max_record_bytes of the current record.
  bool make_room(size_t* pos);
  void fill();
  void skip_bom();

  std::unique_ptr<ByteInput> input_;
  ReaderOptions opt_;
  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;
  size_t record_limit_ = 0;  // max_record_bytes as asked
  size_t begin_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // end of valid data
  bool eof_ = false;
  bool bom_pending_;
  uint64_t offset_;  // file offset of buf_[begin_]
  uint64_t line_;
  std::string oversize_prefix_;
};

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_LINE_READER_H_
