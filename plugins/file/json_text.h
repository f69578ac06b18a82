// JSON text output shared by the JSONL source (values of JSON-typed fields,
// keys) and the JSONL sink. Pure C++, no host.
#ifndef FERRY_PLUGINS_FILE_JSON_TEXT_H_
#define FERRY_PLUGINS_FILE_JSON_TEXT_H_

#include <boost/json/value.hpp>
#include <ferry/json_text.hpp>

#include "text/json_line.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ferry_file {

// Appends `s` as a JSON string literal (from the SDK).
using ferry::append_json_string;
void append_int(std::string& out, int64_t v);
// Shortest round-trip form; non-finite values become null (JSON has none).
void append_double(std::string& out, double v);
// Compact JSON text of `v` (numbers as append_int / append_double write them).
void append_json(std::string& out, const boost::json::value& v);
// The same, writing the numbers as `texts` (from number_texts of the line
// `v` came from, json_numbers.h) from `*next` on, while there are any.
void append_json_exact(std::string& out, const boost::json::value& v, const std::vector<std::string>& texts,
                       size_t* next);
// Validation and one-line JSON, shared with the other line-oriented sinks.
using ferry::support::append_json_line;
using ferry::support::is_valid_json;
using ferry::support::JsonValidator;

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_JSON_TEXT_H_
