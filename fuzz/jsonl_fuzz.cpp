// Fuzzes ferry_file::JsonlBatch, the JSONL source's parser, the way
// FileSource drives it: every non-blank line of the input is add()ed, and a
// batch is built (and released) when a line changes a column's type, after
// a number of rows, and at the end.
//
// Input: the first byte picks the options (any byte is valid):
//   bits 0-1  key fields: none, {"id"}, {"id", "b"}, {"b"}
//   bits 2-4  rows per batch: 0 = no limit, else 1..7
// the rest is the file's bytes.
//
// Checked beyond the sanitizers: a line that answers kTypeChange is taken as
// the first row of the next batch; a batch holds the rows added to it; each
// value is null or of its field's type; JSON values and multi-field keys are
// valid JSON; DECIMAL values are plain decimals.
#include <ferry/plugin.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "batch_check.h"
#include "fuzz_check.h"
#include "json_text.h"
#include "jsonl_parser.h"

namespace {

using ferry_file::JsonlBatch;

bool is_blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t options = data[0];
  static constexpr size_t kKeyFields[] = {0, 1, 2, 1};
  const size_t batch_rows = (options >> 2) & 7;
  const size_t key_fields = kKeyFields[options & 3];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  // One JsonlBatch per key option lives across inputs, as FileSource keeps
  // one across files: every input ends in build(), which must leave it as
  // new. (A fresh one per input would spend most of the time faulting in
  // its arena's first megabyte.)
  static JsonlBatch batches[] = {JsonlBatch(), JsonlBatch({"id"}), JsonlBatch({"id", "b"}),
                                 JsonlBatch({"b"})};
  JsonlBatch& batch = batches[options & 3];
  FUZZ_CHECK(batch.rows() == 0, "a built batch starts empty");
  size_t rows = 0;
  auto build = [&] {
    ferry::BatchBuilder builder;
    batch.build(builder);
    FerryBatch out{};
    builder.finish(&out, "fuzz.jsonl", "end");
    ferry_fuzz::check_batch(out, rows, key_fields);
    out.release(&out);
    FUZZ_CHECK(batch.rows() == 0, "build() forgets the rows");
    rows = 0;
  };

  std::string error;
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // as LineReader does
    ++line_no;
    if (is_blank(line)) continue;
    const std::string position = std::to_string(line_no);
    JsonlBatch::Added added = batch.add(line, position, &error);
    if (added == JsonlBatch::Added::kTypeChange) {
      FUZZ_CHECK(rows > 0, "the first row of a batch never changes a type");
      build();
      // The caller starts the next batch with the same line.
      added = batch.add(line, position, &error);
      FUZZ_CHECK(added == JsonlBatch::Added::kRow, "a line that ended a batch starts the next");
    }
    if (added == JsonlBatch::Added::kRejected) {
      FUZZ_CHECK(!error.empty(), "a rejected line says why");
      continue;
    }
    ++rows;
    FUZZ_CHECK(batch.rows() == rows, "rows() counts the rows kept");
    if (batch_rows != 0 && rows >= batch_rows) build();
  }
  build();
  return 0;
}
