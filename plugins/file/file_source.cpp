#include "file_source.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include <codec/hex.h>
#include <ferry/json_text.hpp>
#include <options/option_reader.h>


namespace ferry_file {
namespace {

constexpr uint64_t kDefaultBatchRecords = 10000;
constexpr uint64_t kDefaultBatchBytes = 8u << 20;
constexpr size_t kMaxPayload = 64 * 1024;

// A name for messages: bytes that are not UTF-8 as \xNN.
std::string escaped_name(std::string_view name) {
  std::string out;
  size_t i = 0;
  while (i < name.size()) {
    const size_t n = ferry::utf8_sequence_length(name, i);
    if (n > 0) {
      out.append(name.substr(i, n));
      i += n;
      continue;
    }
    out += "\\x";
    ferry::support::append_hex(out, name.substr(i++, 1));
  }
  return out;
}

// glob(3) would read metacharacters in the base directory as patterns.
std::string escape_glob(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

struct GlobResult {
  glob_t g{};
  ~GlobResult() { globfree(&g); }
};

}  // namespace

FileSource::FileSource(const ferry::Context& ctx)
    : host_(ctx.host()), base_dir_(ctx.base_dir()) {
  const ferry::support::OptionReader in(ctx, "file source");
  patterns_ = in.names("paths", "path");
  if (patterns_.empty()) in.fail("option 'paths' is required");
  if (in.has("format"))
    format_ = in.choice("format", {{"jsonl", Format::kJsonl}, {"csv", Format::kCsv}}, Format::kJsonl);
  const std::string delimiter = in.string("delimiter", ",");
  if (delimiter.size() != 1 || delimiter[0] == '"' || delimiter[0] == '\n' || delimiter[0] == '\r')
    in.fail("option 'delimiter': expected one character, not a quote or a line break");
  csv_options_.delimiter = delimiter[0];
  csv_options_.header = in.boolean("header", true);
  csv_options_.null_string = in.string("null_string");
  const boost::json::value types = in.json("columns_types");
  if (types.is_object()) {
    for (const boost::json::key_value_pair& kv : types.get_object()) {
      const std::optional<ColumnType> t =
          kv.value().is_string() ? column_type_from_name(kv.value().get_string()) : std::nullopt;
      if (!t)
        in.fail("option 'columns_types." + std::string(kv.key()) +
                "': expected \"int64\", \"double\", \"bool\", \"string\", \"timestamp\" or \"json\"");
      csv_options_.column_types.emplace_back(std::string(kv.key()), *t);
    }
  }
  key_ = in.names("key", "field");
  csv_options_.key = key_;
  const int64_t max_record = in.integer("max_record_bytes", int64_t{64} << 20, 1024, INT64_MAX);
  max_record_bytes_ = static_cast<size_t>(max_record);
  max_records_ = ctx.max_batch_records() > 0 ? ctx.max_batch_records() : kDefaultBatchRecords;
  max_bytes_ = ctx.max_batch_bytes() > 0 ? ctx.max_batch_bytes() : kDefaultBatchBytes;

  // Match now, so that a missing file or an unknown extension is a config
  // error before any data moves.
  for (const std::string& p : patterns_) expand(p);
}

std::string FileSource::resolve(std::string_view path) const {
  if (path.empty() || path.front() == '/' || base_dir_.empty()) return std::string(path);
  std::string out = base_dir_;
  if (out.back() != '/') out += '/';
  out += path;
  return out;
}

Format FileSource::format_of(const std::string& path) const {
  if (format_) return *format_;
  if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson") || ends_with(path, ".json"))
    return Format::kJsonl;
  if (ends_with(path, ".csv")) return Format::kCsv;
  throw ferry::Error(FERRY_ERROR_CONFIG, "cannot tell the format of '" + path +
                                             "' from its extension: set option 'format'");
}

void FileSource::expand(const std::string& pattern) {
  // Relative patterns are matched under base_dir but named as written, so
  // partition names (and their checkpoints) survive moving the pipeline.
  const bool relative = pattern.front() != '/' && !base_dir_.empty();
  std::string prefix;
  if (relative) {
    prefix = escape_glob(base_dir_);
    if (prefix.back() != '/') prefix += '/';
  }
  // glob(3) returns the base unescaped, followed by what matched.
  const size_t strip = relative ? base_dir_.size() + (base_dir_.back() == '/' ? 0 : 1) : 0;
  GlobResult r;
  const int rc = ::glob((prefix + pattern).c_str(), 0, nullptr, &r.g);
  if (rc == GLOB_NOSPACE) throw ferry::Error(FERRY_ERROR_INTERNAL, "out of memory in glob");
  if (rc == GLOB_ABORTED)
    throw ferry::Error(FERRY_ERROR_IO, "cannot read a directory matching '" + pattern + "'");
  size_t matched = 0;
  for (size_t i = 0; rc == 0 && i < r.g.gl_pathc; ++i) {
    const std::string path = r.g.gl_pathv[i];
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    std::string name = relative ? path.substr(std::min(strip, path.size())) : path;
    // The name is the partition: checkpoints, the DLQ and SQL sinks'
    // checkpoint tables hold it as text.
    if (!ferry::is_valid_utf8(name))
      throw ferry::Error(FERRY_ERROR_CONFIG, "file '" + escaped_name(name) + "' (matched by '" + pattern +
                                                 "') has a name that is not UTF-8; partitions, checkpoints and the "
                                                 "dead-letter queue name files as text: rename it");
    const Format f = format_of(path);
    files_.emplace(std::move(name), File{path, f});
    ++matched;
  }
  if (matched == 0) throw ferry::Error(FERRY_ERROR_CONFIG, "no file matches '" + pattern + "'");
}

std::vector<std::string> FileSource::partitions() {
  // std::map keeps names sorted bytewise: the same order on every machine,
  // whatever the locale glob(3) sorted by.
  std::vector<std::string> names;
  names.reserve(files_.size());
  for (const auto& entry : files_) names.push_back(entry.first);
  return names;
}

const FileSource::File& FileSource::file(std::string_view partition) const {
  auto it = files_.find(partition);
  if (it == files_.end())
    throw ferry::Error(FERRY_ERROR_CONFIG, "unknown partition '" + std::string(partition) +
                                               "': no file matches it now");
  return it->second;
}

ferry::Source::Estimate FileSource::estimate(std::string_view partition) {
  Estimate e;
  const File& f = file(partition);
  struct stat st;
  if (::stat(f.path.c_str(), &st) != 0) return e;
  e.bytes = static_cast<uint64_t>(st.st_size);
  // Records from the lines of the first 64 KiB, scaled to the file's size:
  // exact for a small file, close enough for a progress bar on a big one.
  std::ifstream in(f.path, std::ios::binary);
  std::string sample(64 * 1024, '\0');
  in.read(sample.data(), static_cast<std::streamsize>(sample.size()));
  sample.resize(static_cast<size_t>(in.gcount()));
  if (sample.empty()) {
    e.records = 0;
    return e;
  }
  const auto lines = static_cast<uint64_t>(std::count(sample.begin(), sample.end(), '\n')) +
                     (sample.back() != '\n' && sample.size() == e.bytes ? 1 : 0);
  uint64_t records = sample.size() == e.bytes ? lines : lines * e.bytes / sample.size();
  if (f.format == Format::kCsv && csv_options_.header && records > 0) --records;
  e.records = records;
  return e;
}

void FileSource::read_csv_header(const File& f, Position* resume) {
  // The first non-empty record defines the columns, even when resuming
  // mid-file: read it again from offset 0.
  ReaderOptions opt;
  opt.framing = Framing::kCsvRecords;
  opt.delimiter = csv_options_.delimiter;
  opt.buffer_size = 64 * 1024;
  opt.max_record_bytes = max_record_bytes_;
  LineReader header(open_file_input(f.path, 0), 0, 0, opt);
  Record r;
  bool found = false;
  while (!found && header.next(r)) found = r.oversized || !r.text.empty();
  if (!found) return;  // no records: no columns, no rows
  std::string error;
  const bool ok = !r.oversized && csv_->set_first_record(r.text, &error);
  if (r.oversized) error = "record longer than " + std::to_string(max_record_bytes_) + " bytes";
  if (!ok)
    throw ferry::Error(FERRY_ERROR_CONFIG, partition_ + ":" + std::to_string(r.first_line) +
                                               ": cannot read the " +
                                               (csv_options_.header ? "header" : "first record") +
                                               ": " + error);
  if (csv_options_.header && resume->offset < r.end) {
    resume->offset = r.end;
    resume->lines = r.lines_after;
  }
}

namespace {

// Whether the byte before `offset` is a line end: a checkpoint after a last
// line without one is not.
bool ends_a_line(const std::string& path, uint64_t offset) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset - 1));
  char c = 0;
  if (!in.get(c)) throw ferry::Error(FERRY_ERROR_IO, "cannot read '" + path + "'");
  return c == '\n';
}

// The rest of a line cut at `offset`: its bytes up to the next line end
// (the first kMaxPayload of them), and the offset just after that line end
// (the end of the file when none is written yet).
struct LineRest {
  std::string text;
  uint64_t end = 0;
};
LineRest rest_of_line(const std::string& path, uint64_t offset) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  LineRest rest;
  rest.end = offset;
  char buf[64 * 1024];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    const auto n = static_cast<size_t>(in.gcount());
    const char* nl = static_cast<const char*>(std::memchr(buf, '\n', n));
    const size_t take = nl ? static_cast<size_t>(nl - buf) : n;
    if (rest.text.size() < kMaxPayload) rest.text.append(buf, std::min(take, kMaxPayload - rest.text.size()));
    rest.end += take;
    if (nl) {
      rest.end += 1;
      break;
    }
  }
  if (!rest.text.empty() && rest.text.back() == '\r') rest.text.pop_back();
  return rest;
}

}  // namespace

void FileSource::start(std::string_view partition, const std::string_view* position) {
  pending_.reset();
  reader_.reset();
  const File& f = file(partition);
  partition_ = std::string(partition);
  format_now_ = f.format;
  Position resume;
  resume.lines = 0;
  if (position) {
    std::optional<Position> p = parse_position(*position);
    if (!p)
      throw ferry::Error(FERRY_ERROR_CONFIG, "invalid position '" + std::string(*position) +
                                                 "' for partition '" + partition_ +
                                                 "': expected \"<offset>:<line>\"");
    resume = *p;
  }
  struct stat st;
  if (::stat(f.path.c_str(), &st) != 0)
    throw ferry::Error(FERRY_ERROR_IO, "cannot stat '" + f.path + "'");
  if (resume.offset > static_cast<uint64_t>(st.st_size))
    throw ferry::Error(FERRY_ERROR_IO, "position " + std::to_string(resume.offset) +
                                           " is past the end of '" + partition_ + "' (" +
                                           std::to_string(st.st_size) +
                                           " bytes): was the file truncated or replaced?");

  cut_.reset();
  if (resume.offset > 0 && static_cast<uint64_t>(st.st_size) > resume.offset &&
      !ends_a_line(f.path, resume.offset)) {
    // The line before the checkpoint was read without its line end, and the
    // file grew: what follows up to the next line end is that line's rest,
    // not a record (nor, in a CSV, the start of a quoted field). Reading
    // goes on after it; the cut line is counted already.
    LineRest rest = rest_of_line(f.path, resume.offset);
    cut_ = Cut{resume.lines, resume.offset, rest.end, std::move(rest.text)};
    resume.offset = rest.end;
  }

  ReaderOptions opt;
  opt.max_record_bytes = max_record_bytes_;
  if (f.format == Format::kCsv) {
    csv_ = std::make_unique<CsvRows>(csv_options_);
    read_csv_header(f, &resume);
    opt.framing = Framing::kCsvRecords;
    opt.delimiter = csv_options_.delimiter;
  } else {
    if (!jsonl_) jsonl_ = std::make_unique<JsonlBatch>(key_);
    jsonl_->clear();
  }
  lines_known_ = resume.lines.has_value();
  resume_offset_ = resume.offset;
  path_ = f.path;
  reader_options_ = opt;
  reader_ = std::make_unique<LineReader>(open_file_input(f.path, resume.offset), resume.offset,
                                         resume.lines.value_or(0), opt);
}

std::string FileSource::where(const Record& r) const {
  if (lines_known_) return partition_ + ":" + std::to_string(r.first_line);
  return partition_ + ": line " + std::to_string(r.first_line) + " after offset " +
         std::to_string(resume_offset_);
}

void FileSource::reject(const Record& r, std::string_view position, const std::string& why) const {
  const std::string_view payload = r.text.substr(0, std::min(r.text.size(), kMaxPayload));
  host_.reject(partition_, position, "", payload, where(r) + ": " + why);
}

std::string FileSource::lines_of(const Record& r) const {
  const size_t nl = r.text.find('\n');
  if (nl == std::string_view::npos || r.text.find_first_not_of("\r\n", nl) == std::string_view::npos) return "";
  if (!lines_known_) return " (one record of several lines: a quoted field spans them)";
  return " (one record of lines " + std::to_string(r.first_line) + " to " + std::to_string(r.lines_after) +
         ": a quoted field spans them)";
}

bool FileSource::reject_first_line(const Record& r, const std::string& why) {
  const size_t nl = r.text.find('\n');
  // One line (perhaps with the line break a quote left open at the end of
  // the file took in): nothing after it to read again.
  if (nl == std::string_view::npos || r.text.find_first_not_of("\r\n", nl) == std::string_view::npos) return false;
  std::string_view line = r.text.substr(0, nl);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const uint64_t line_end = r.begin + nl + 1;
  const PositionText position(line_end, lines_known_ ? std::optional(r.first_line) : std::optional<uint64_t>());
  Record first = r;
  first.text = line;
  reject(first, position.view(),
         why + " (a quote opened here and the record that follows it is not well-formed: only this line is "
               "rejected)");
  // Read on from the next line; the rest of what the quote swallowed is
  // read again as the records it is.
  reader_ = std::make_unique<LineReader>(open_file_input(path_, line_end), line_end, r.first_line, reader_options_);
  return true;
}

bool FileSource::next(FerryBatch* out) {
  if (!reader_) throw ferry::Error(FERRY_ERROR_INTERNAL, "next() called before start()");
  const bool csv = format_now_ == Format::kCsv;
  std::optional<ferry::BatchBuilder> batch;
  batch.emplace();
  if (csv) {
    csv_->add_fields(*batch);
  } else {
    jsonl_->clear();  // drop what an interrupted call left
  }
  const std::optional<uint64_t> no_lines;
  uint64_t consumed = 0;
  uint64_t rows = 0;
  bool advanced = false;
  std::string error;
  Record r;
  // Rejected and blank records count against the byte budget too: a batch
  // then ends with zero rows but a new end_position, which the host
  // checkpoints. Reading on until a good row instead would make one call
  // walk an arbitrarily long run of bad lines, and a crash in there would
  // send all of them to the DLQ again.
  std::optional<PositionText> end_before;  // set when a type change ends the batch early
  if (cut_) {
    // A bare line end (or CR LF) completes the cut line as it was read.
    advanced = true;
    if (!cut_->rest.empty()) {
      const std::string line = cut_->line ? "line " + std::to_string(*cut_->line)
                                          : "the line before offset " + std::to_string(cut_->at);
      const std::string at = cut_->line ? partition_ + ":" + std::to_string(*cut_->line) : partition_;
      host_.reject(partition_, PositionText(cut_->end, cut_->line).view(), "", cut_->rest,
                   at + ": the rest of " + line +
                       ", which an earlier run read before its line end was written: the file was appended to "
                       "after a last line without a line end, so that line reached the sinks cut short; this rest "
                       "is no record of its own");
    }
    cut_.reset();
  }
  while (rows < max_records_ && consumed < max_bytes_) {
    if (pending_) {
      // The line that ended the previous batch with a type change.
      held_text_ = std::move(pending_->text);
      r = pending_->record;
      r.text = held_text_;
      pending_.reset();
    } else if (!reader_->next(r)) {
      break;
    }
    advanced = true;
    consumed += r.end - r.begin;
    const PositionText position(r.end, lines_known_ ? std::optional(r.lines_after) : no_lines);
    if (r.oversized) {
      const std::string why = "record longer than " + std::to_string(max_record_bytes_) + " bytes";
      // A quote that never closed (or closed before stray text) may have
      // taken in the lines after it: only its first line is rejected. A
      // quoted field that closed makes its lines one record, rejected whole.
      if (csv && !r.quotes_closed && reject_first_line(r, why)) continue;
      reject(r, position.view(), why + " (payload cut)");
      continue;
    }
    if (csv ? r.text.empty() : is_blank(r.text)) continue;
    if (!csv) {
      const JsonlBatch::Added added = jsonl_->add(r.text, position.view(), &error);
      if (added == JsonlBatch::Added::kTypeChange) {
        pending_ = Pending{r, std::string(r.text)};
        end_before.emplace(r.begin, lines_known_ ? std::optional(r.lines_after - 1) : no_lines);
        break;
      }
      if (added == JsonlBatch::Added::kRejected) {
        reject(r, position.view(), error);
        continue;
      }
    } else {
      bool malformed = false;
      if (!csv_->add(r.text, position.view(), *batch, &error, &malformed)) {
        if (!(malformed && reject_first_line(r, error))) reject(r, position.view(), error + lines_of(r));
        continue;
      }
    }
    ++rows;
  }
  if (!advanced) return false;
  if (!csv) jsonl_->build(*batch);
  const PositionText end = end_before ? *end_before
                                      : PositionText(reader_->offset(),
                                                     lines_known_ ? std::optional(reader_->lines()) : no_lines);
  batch->finish(out, partition_, end.view());
  return true;
}

}  // namespace ferry_file
