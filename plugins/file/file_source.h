// The `file` source: JSON Lines and CSV files matched by globs, one
// partition per file, resumable from a byte offset.
#ifndef FERRY_PLUGINS_FILE_FILE_SOURCE_H_
#define FERRY_PLUGINS_FILE_FILE_SOURCE_H_

#include <ferry/plugin.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "csv_rows.h"
#include "jsonl_parser.h"
#include "line_reader.h"
#include "position.h"

namespace ferry_file {

enum class Format { kJsonl, kCsv };

// Thread safety: one instance is used by one thread at a time (ABI rule 4).
class FileSource : public ferry::Source {
 public:
  explicit FileSource(const ferry::Context& ctx);
  // `ferry validate` and the start of a run (ABI 1.3): every option, and
  // that each pattern matches a file (names only; nothing is read).
  static void check_config(const ferry::Context& ctx) { FileSource probe(ctx); }

  std::vector<std::string> partitions() override;
  void start(std::string_view partition, const std::string_view* position) override;
  bool next(FerryBatch* out) override;
  Estimate estimate(std::string_view partition) override;

 private:
  struct File {
    std::string path;  // as opened
    Format format;
  };
  std::string resolve(std::string_view path) const;
  void expand(const std::string& pattern);
  Format format_of(const std::string& path) const;
  const File& file(std::string_view partition) const;
  void read_csv_header(const File& f, Position* resume);
  // "orders.csv:17" (or "orders.csv: line 3 after offset 100" when resumed
  // from a position without line numbers).
  std::string where(const Record& r) const;
  void reject(const Record& r, std::string_view position, const std::string& why) const;
  // " (one record of lines 3 to 5: ...)" for a record of several lines,
  // "" for one line: a DLQ message then says what the entry holds.
  std::string lines_of(const Record& r) const;
  // A CSV record that spans lines and whose quotes do not parse: an opening
  // quote that was never meant to span lines. Rejects its first line alone
  // and reads on from the next one; false when it has only one line.
  bool reject_first_line(const Record& r, const std::string& why);

  ferry::Host host_;
  std::string base_dir_;
  std::vector<std::string> patterns_;
  std::optional<Format> format_;
  CsvOptions csv_options_;
  std::vector<std::string> key_;
  size_t max_record_bytes_;
  uint64_t max_records_;
  uint64_t max_bytes_;
  std::map<std::string, File, std::less<>> files_;  // partition -> file

  // The started partition.
  std::string partition_;
  Format format_now_ = Format::kJsonl;
  std::unique_ptr<LineReader> reader_;
  std::string path_;             // the started partition's file
  ReaderOptions reader_options_;
  // A JSONL line read but held back for the next batch (its types differ).
  struct Pending {
    Record record;
    std::string text;
  };
  std::optional<Pending> pending_;
  std::string held_text_;  // the pending line's text while it is being added
  bool lines_known_ = true;
  uint64_t resume_offset_ = 0;
  // The line before the checkpoint was read without its line end, and the
  // file has grown since: the rest of that line, reported by next().
  struct Cut {
    std::optional<uint64_t> line;  // its number, when lines are known
    uint64_t at = 0;               // the checkpoint's offset
    uint64_t end = 0;              // just after the rest's line end
    std::string rest;              // its first 64 KiB, without CR
  };
  std::optional<Cut> cut_;
  std::unique_ptr<CsvRows> csv_;
  std::unique_ptr<JsonlBatch> jsonl_;
};

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_FILE_SOURCE_H_
