// Text forms of values shared by the JSONL and CSV formats. Pure C++.
#ifndef FERRY_PLUGINS_S3_VALUE_TEXT_H_
#define FERRY_PLUGINS_S3_VALUE_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <ferry/json_text.hpp>

#include "codec/base64.h"
#include "text/json_line.h"

namespace ferry_s3 {

// `s` as a JSON string literal; bytes that are not well-formed UTF-8 become
// U+FFFD, so the output is always valid JSON.
using ferry::append_json_string;  // from the SDK
void append_int(std::string& out, int64_t v);
// Shortest round-trip form. `nonfinite` is written for NaN and infinities.
void append_double(std::string& out, double v, std::string_view nonfinite);
// "2024-01-02T03:04:05.123456Z" (microseconds since 1970 UTC); years outside
// 0000-9999 in ISO 8601's expanded form ("+10000", "-0001").
void append_timestamp(std::string& out, int64_t micros);
using ferry::support::append_base64;
// `text` on one line if it is one valid JSON value; false (and nothing
// appended) otherwise.
using ferry::support::append_json_line;

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_VALUE_TEXT_H_
