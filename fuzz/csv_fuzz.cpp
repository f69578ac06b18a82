// Fuzzes the CSV source's parsers on a whole file, the way FileSource drives
// them: LineReader frames the bytes into records (which span lines inside
// quotes), the first non-empty record sets the columns of a CsvRows, and
// every other record is add()ed to a batch, built and released every few
// rows. Each record also goes through CsvParser on its own.
//
// Input: two bytes of options (any bytes are valid), then the file.
//   byte 0  bits 0-1  delimiter: ',' ';' '\t' '|'
//           bit  2    no header (columns c1..cN)
//           bits 3-4  null_string: "" "NULL" "\N" "null"
//           bit  5    small buffers (16 bytes, records over 256 bytes cut):
//                     buffer growth and oversized records
//           bit  6    read again from a record boundary, as a resume does
//           bit  7    batches of 3 rows (else 1000)
//   byte 1  bits 0-2  type of one column: string, int64, double, bool,
//                     timestamp, json; 6-7: none
//           bits 3-5  that column's index; 7 (or past the last): a name
//                     the file does not have
//           bits 6-7  key: none, that column, the first two, the last
//
// Checked beyond the sanitizers: records tile the input and their text is
// the input's (less the line terminator); reading again from a record
// boundary yields the same records; a record CsvParser splits re-encodes to
// one that splits the same; column names are unique; each value is null or
// of its field's type, strings are UTF-8, JSON values valid JSON.
#include <ferry/plugin.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "batch_check.h"
#include "csv_parser.h"
#include "csv_rows.h"
#include "fuzz_check.h"
#include "json_text.h"
#include "line_reader.h"
#include "utf8.h"

namespace {

using namespace ferry_file;

// A record with its text copied (a Record's view dies with the next call).
struct Framed {
  std::string text;
  uint64_t begin, end, first_line, lines_after;
  bool terminated, oversized;
};

std::vector<Framed> frame(const std::string& data, const ReaderOptions& opt, uint64_t offset,
                          uint64_t line) {
  LineReader reader(string_input(data, offset), offset, line, opt);
  std::vector<Framed> out;
  Record r;
  while (reader.next(r)) {
    FUZZ_CHECK(out.size() <= data.size(), "every record consumes input");
    out.push_back(Framed{std::string(r.text), r.begin, r.end, r.first_line, r.lines_after,
                         r.terminated, r.oversized});
  }
  FUZZ_CHECK(reader.offset() == data.size(), "the reader ends at the end of the input");
  return out;
}

void check_framing(const std::string& data, const std::vector<Framed>& records, const ReaderOptions& opt) {
  const bool bom = data.compare(0, 3, "\xEF\xBB\xBF") == 0;
  uint64_t expect = bom ? 3 : 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const Framed& r = records[i];
    FUZZ_CHECK(r.begin == expect, "a record starts where the previous one ended");
    FUZZ_CHECK(r.begin < r.end && r.end <= data.size(), "a record is a non-empty range of the input");
    FUZZ_CHECK(r.terminated || i + 1 == records.size(), "only the last record is unterminated");
    FUZZ_CHECK(r.lines_after >= r.first_line, "line numbers move forward");
    if (r.oversized) {
      FUZZ_CHECK(r.end - r.begin > opt.max_record_bytes / 2, "only a long record is cut");
      FUZZ_CHECK(data.compare(r.begin, r.text.size(), r.text) == 0, "a cut record keeps its head");
    } else {
      FUZZ_CHECK(r.text.size() <= r.end - r.begin, "a record's text is within its range");
      FUZZ_CHECK(data.compare(r.begin, r.text.size(), r.text) == 0, "a record's text is the input's");
      const std::string_view rest = std::string_view(data).substr(
          r.begin + r.text.size(), r.end - r.begin - r.text.size());
      FUZZ_CHECK(rest.empty() || rest == "\n" || rest == "\r\n" || rest == "\r",
                 "a record ends in its line terminator");
    }
    expect = r.end;
  }
}

// Quotes a field as a CSV writer would; unquoted fields are left as they are.
std::string encode(const std::vector<CsvField>& fields, char delimiter) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(delimiter);
    if (!fields[i].quoted) {
      out.append(fields[i].text);
      continue;
    }
    out.push_back('"');
    for (char c : fields[i].text) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
  }
  return out;
}

void check_split(std::string_view record, char delimiter) {
  CsvParser parser(delimiter);
  std::vector<CsvField> fields;
  std::string error;
  if (!parser.parse(record, fields, &error)) {
    FUZZ_CHECK(!error.empty(), "a record that does not split says why");
    return;
  }
  std::vector<std::pair<std::string, bool>> first;
  for (const CsvField& f : fields) first.emplace_back(std::string(f.text), f.quoted);
  const std::string again = encode(fields, delimiter);
  FUZZ_CHECK(parser.parse(again, fields, &error), "a re-encoded record splits");
  FUZZ_CHECK(fields.size() == first.size(), "a re-encoded record has as many fields");
  for (size_t i = 0; i < fields.size(); ++i)
    FUZZ_CHECK(fields[i].text == first[i].first && fields[i].quoted == first[i].second,
               "a re-encoded record has the same fields");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t o0 = data[0];
  const uint8_t o1 = data[1];
  const std::string file(reinterpret_cast<const char*>(data + 2), size - 2);

  static constexpr char kDelimiters[] = {',', ';', '\t', '|'};
  static const char* const kNulls[] = {"", "NULL", "\\N", "null"};
  CsvOptions options;
  options.delimiter = kDelimiters[o0 & 3];
  options.header = (o0 & 4) == 0;
  options.null_string = kNulls[(o0 >> 3) & 3];
  const bool small_buffers = (o0 & 32) != 0;
  const bool resume = (o0 & 64) != 0;
  const size_t batch_rows = (o0 & 128) ? 3 : 1000;

  ReaderOptions reader;
  reader.framing = Framing::kCsvRecords;
  reader.delimiter = options.delimiter;
  if (small_buffers) {
    reader.buffer_size = 16;
    reader.max_record_bytes = 256;
  } else {
    reader.buffer_size = 4096;
  }

  const std::vector<Framed> records = frame(file, reader, 0, 0);
  check_framing(file, records, reader);
  if (resume && records.size() > 1) {
    // A checkpoint after record k: reading on from there sees the same records.
    const size_t k = records.size() / 2;
    const std::vector<Framed> rest = frame(file, reader, records[k - 1].end, records[k - 1].lines_after);
    FUZZ_CHECK(rest.size() == records.size() - k, "a resume sees the records that follow");
    for (size_t i = 0; i < rest.size(); ++i) {
      const Framed& a = records[k + i];
      const Framed& b = rest[i];
      FUZZ_CHECK(a.text == b.text && a.begin == b.begin && a.end == b.end &&
                     a.first_line == b.first_line && a.lines_after == b.lines_after &&
                     a.terminated == b.terminated && a.oversized == b.oversized,
                 "a resume frames records as the first read did");
    }
  }
  for (const Framed& r : records)
    if (!r.oversized) check_split(r.text, options.delimiter);

  // The first non-empty record names the columns (FileSource gives up on the
  // file when it is cut or malformed).
  size_t first = 0;
  while (first < records.size() && !records[first].oversized && records[first].text.empty()) ++first;
  if (first == records.size() || records[first].oversized) return 0;
  std::string error;
  CsvRows probe(options);
  if (!probe.set_first_record(records[first].text, &error)) {
    FUZZ_CHECK(!error.empty(), "a first record that is refused says why");
    return 0;
  }
  const std::vector<std::string> names = probe.names();
  for (size_t i = 0; i < names.size(); ++i)
    for (size_t j = i + 1; j < names.size(); ++j)
      FUZZ_CHECK(names[i] != names[j], "column names are unique");

  // Options that name columns, by index into what the file has. The name
  // for "missing" may be a column of the file too (a header may say
  // anything): whether a name exists is looked up, never assumed.
  auto exists = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  const size_t type = o1 & 7;
  const size_t column = (o1 >> 3) & 7;
  const bool have_column = column < 7 && column < names.size();
  const std::string named = have_column ? names[column] : "no_such_column";
  bool all_exist = true;
  if (type < 6) {
    options.column_types = {{named, static_cast<ColumnType>(type)}};
    all_exist = all_exist && exists(named);
  }
  switch ((o1 >> 6) & 3) {
    case 1:
      options.key = {named};
      all_exist = all_exist && exists(named);
      break;
    case 2:
      options.key = {names[0], names.size() > 1 ? names[1] : "no_such_column"};
      all_exist = all_exist && exists(options.key[1]);
      break;
    case 3: options.key = {names.back()}; break;
    default: break;
  }
  const size_t key_columns = options.key.size();

  CsvRows rows(options);
  const bool set = rows.set_first_record(records[first].text, &error);
  FUZZ_CHECK(set == all_exist, "the columns are set exactly when every named column exists");
  if (!set) return 0;
  FUZZ_CHECK(rows.names() == names, "options do not change the column names");

  std::optional<ferry::BatchBuilder> batch;
  size_t in_batch = 0;
  auto finish = [&] {
    if (batch) {
      FerryBatch out{};
      batch->finish(&out, "fuzz.csv", "end");
      ferry_fuzz::check_batch(out, in_batch, key_columns);
      out.release(&out);
    }
    batch.emplace();
    rows.add_fields(*batch);
    FUZZ_CHECK(batch->field_count() == names.size(), "a batch has a field per column");
    in_batch = 0;
  };
  finish();
  for (size_t i = options.header ? first + 1 : first; i < records.size(); ++i) {
    const Framed& r = records[i];
    if (r.oversized || r.text.empty()) continue;
    const std::string position = std::to_string(r.end) + ":" + std::to_string(r.lines_after);
    bool malformed = false;
    if (!rows.add(r.text, position, *batch, &error, &malformed)) {
      FUZZ_CHECK(!error.empty(), "a rejected record says why");
      continue;
    }
    if (++in_batch >= batch_rows) finish();
  }
  finish();
  return 0;
}
