// A JSON value embedded in a line-oriented output (a JSONL line, an NDJSON
// bulk body, a CSV field): checked once, and made one line without reading
// its numbers, so 1.10 stays 1.10 and a 30-digit integer keeps its digits.
#pragma once

#include <boost/json/basic_parser.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::support {

// One JSON value and nothing after it (blanks aside), by Boost.JSON's
// default rules and limits (depth 32, UTF-8 strings), without building a
// document.
bool is_valid_json(std::string_view text);

// Appends `text` if it is one valid JSON value; one spanning lines loses the
// blanks between its tokens (a raw line break can only stand there: JSON
// strings escape theirs). Returns false and appends nothing otherwise.
bool append_json_line(std::string& out, std::string_view text);

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

}  // namespace ferry::support
