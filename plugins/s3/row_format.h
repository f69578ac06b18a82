// Rows of a batch as object content: JSON Lines or CSV. Pure C++.
#ifndef FERRY_PLUGINS_S3_ROW_FORMAT_H_
#define FERRY_PLUGINS_S3_ROW_FORMAT_H_

#include <ferry/plugin.hpp>

#include <string>

namespace ferry_s3 {

enum class Format { kJsonl, kCsv };

// `{"field":value,...}\n` per row: INT64 and DOUBLE as numbers (non-finite
// -> null), BOOL, STRING and DECIMAL as strings, BYTES as base64 strings,
// TIMESTAMP as "2024-01-02T03:04:05.123456Z", JSON embedded (as a string
// when it is not valid JSON), nulls as null. The file sink's rendering.
void append_jsonl_rows(std::string& out, const ferry::BatchView& batch);

// RFC 4180: CRLF line ends; a field holding , " CR or LF is quoted with ""
// doubled. Null is an empty field, the empty string is "" (quoted), so the
// two stay apart. Values as in JSONL but unquoted text (NaN, Infinity,
// -Infinity for non-finite doubles; JSON as its text).
void append_csv_header(std::string& out, const ferry::BatchView& batch);
void append_csv_rows(std::string& out, const ferry::BatchView& batch);

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_ROW_FORMAT_H_
