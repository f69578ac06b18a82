// Appending JSON text to a string, fast: the bulk body is built row by row
// and is the sink's hot path, so nothing here allocates per value.
#ifndef FERRY_PLUGINS_ELASTICSEARCH_JSON_TEXT_H_
#define FERRY_PLUGINS_ELASTICSEARCH_JSON_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <ferry/json_text.hpp>

#include "codec/base64.h"

namespace ferry_es {

// Standard base64 with padding, as Elasticsearch's `binary` type expects.
using ferry::support::append_base64;

// Appends `s` as a quoted JSON string. Returns false (leaving `out` partly
// written; the caller truncates) when `s` is not valid UTF-8: JSON cannot
// carry such bytes, and replacing them would change the data silently.
bool append_json_string(std::string& out, std::string_view s);

// Shortest text that reads back as the same double, always with a '.' or an
// exponent ("2.0", "0.25", "1e+21"), so that it reads as a floating-point
// number; NaN and infinities, which JSON lacks, become null.
void append_json_double(std::string& out, double v);

void append_json_int(std::string& out, int64_t v);

// "2023-11-14T22:13:20.000001Z", quoted: microseconds since 1970 as ISO-8601
// UTC, which Elasticsearch's default date format (strict_date_optional_time)
// reads; years outside 0000-9999 signed ("+10000", "-0001"), as java.time
// writes and reads them.
void append_iso8601_micros(std::string& out, int64_t micros);

// Well-formed UTF-8 (SDK).
using ferry::is_valid_utf8;

}  // namespace ferry_es

#endif  // FERRY_PLUGINS_ELASTICSEARCH_JSON_TEXT_H_
