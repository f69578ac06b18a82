// JSON text output shared by the JSONL source (values of JSON-typed fields,
// keys) and the JSONL sink. Pure C++, no host.
#ifndef FERRY_PLUGINS_FILE_JSON_TEXT_H_
#define FERRY_PLUGINS_FILE_JSON_TEXT_H_

#include <boost/json/value.hpp>
#include <ferry/json_text.hpp>

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
// Appends `text` if it is one valid JSON value, made compact (single line)
// when it spans lines; returns false and appends nothing otherwise.
bool append_raw_json(std::string& out, std::string_view text);
// One JSON value and nothing after it (blanks aside), by Boost.JSON's own
// rules and limits, without building a document.
bool is_valid_json(std::string_view text);

// A boost::json::basic_parser handler that only lets the parser validate:
// every event is accepted and nothing is built. A handler that wants some
// events derives from it and declares those (basic_parser calls them by
// name).
struct JsonValidator {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  using ec_t = boost::system::error_code;
  using sv = boost::json::string_view;
  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_array_begin(ec_t&) { return true; }
  bool on_array_end(std::size_t, ec_t&) { return true; }
  bool on_object_begin(ec_t&) { return true; }
  bool on_object_end(std::size_t, ec_t&) { return true; }
  bool on_string_part(sv, std::size_t, ec_t&) { return true; }
  bool on_string(sv, std::size_t, ec_t&) { return true; }
  bool on_key_part(sv, std::size_t, ec_t&) { return true; }
  bool on_key(sv, std::size_t, ec_t&) { return true; }
  bool on_number_part(sv, ec_t&) { return true; }
  bool on_int64(int64_t, sv, ec_t&) { return true; }
  bool on_uint64(uint64_t, sv, ec_t&) { return true; }
  bool on_double(double, sv, ec_t&) { return true; }
  bool on_bool(bool, ec_t&) { return true; }
  bool on_null(ec_t&) { return true; }
  bool on_comment_part(sv, ec_t&) { return true; }
  bool on_comment(sv, ec_t&) { return true; }
};

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_JSON_TEXT_H_
