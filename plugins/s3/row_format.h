// Rows of a batch as object content: JSON Lines or CSV. Pure C++.
#ifndef FERRY_PLUGINS_S3_ROW_FORMAT_H_
#define FERRY_PLUGINS_S3_ROW_FORMAT_H_

#include <ferry/plugin.hpp>

#include <string>
#include <vector>

namespace ferry_s3 {

enum class Format { kJsonl, kCsv };

// `{"field":value,...}\n` per row: INT64 and DOUBLE as numbers, BOOL,
// STRING and DECIMAL as strings, BYTES as base64 strings, TIMESTAMP as
// "2024-01-02T03:04:05.123456Z", JSON embedded, nulls as null. The file
// sink's rendering. A row with a value JSON cannot hold (NaN, infinity,
// text that is not UTF-8, JSON that is not valid) is left out and added to
// `refused` with why.
struct RefusedRow {
  size_t row;
  std::string why;  // "field 'x': nan has no JSON form"
};
// `op_field`, when not empty, names each record's operation first (the
// change events of a CDC source); without it a delete is refused.
void append_jsonl_rows(std::string& out, const ferry::BatchView& batch, std::string_view op_field,
                       std::vector<RefusedRow>& refused);

// RFC 4180: CRLF line ends; a field holding , " CR or LF is quoted with ""
// doubled. Null is an empty field, the empty string is "" (quoted), so the
// two stay apart. Values as in JSONL but unquoted text (NaN, Infinity,
// -Infinity for non-finite doubles; JSON as its text).
void append_csv_header(std::string& out, const ferry::BatchView& batch, std::string_view op_field);
void append_csv_rows(std::string& out, const ferry::BatchView& batch, std::string_view op_field,
                     std::vector<RefusedRow>& refused);

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_ROW_FORMAT_H_
