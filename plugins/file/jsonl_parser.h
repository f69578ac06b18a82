// Turns the JSON Lines of one batch into rows with an inferred schema.
// Pure C++ over the SDK's BatchBuilder; no host.
#ifndef FERRY_PLUGINS_FILE_JSONL_PARSER_H_
#define FERRY_PLUGINS_FILE_JSONL_PARSER_H_

#include <ferry/plugin.hpp>

#include <boost/json/parser.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "batch_arena.h"

namespace ferry_file {

// Schema of a batch: fields in order of first appearance; a field's type is
//   only ints that fit int64 -> INT64;
//   ints and fractional numbers -> DOUBLE, if every int is exact as a
//     double (|i| <= 2^53); otherwise DECIMAL;
//   any int beyond int64 -> DECIMAL (the exact digits; with fractional
//     numbers, each as its plain decimal text);
//   only bools -> BOOL; only strings -> STRING; only objects/arrays -> JSON
//   (compact text); any other mix -> JSON, each value as its JSON text
//   ("\"a\"", "1"); only nulls (or absent) -> NULL.
// A field absent from a row is null there. Numbers are never rounded: a row
// with a number no type holds (1e999, an integer of over 1,000 digits) is
// rejected with the reason, as is an object that repeats a key. Numbers
// inside JSON values keep the text the line wrote.
//
// Key (when key fields are given): one field -> its text (a string's
// content, otherwise the value's JSON text; empty when null or absent);
// several -> a JSON array of their values (null when absent).
class JsonlBatch {
 public:
  explicit JsonlBatch(std::vector<std::string> key_fields = {});
  JsonlBatch(const JsonlBatch&) = delete;
  JsonlBatch& operator=(const JsonlBatch&) = delete;

  enum class Added { kRow, kRejected, kTypeChange };
  // Parses one line (REQUIRES: not blank). Keeps the row with `position`
  // (kRow); or rejects it with the reason in `error` ("invalid JSON: ...",
  // "invalid UTF-8", "not a JSON object"); or, when a field of the line has
  // a type that would turn the batch's column into mixed JSON (a string
  // where numbers were), keeps nothing and answers kTypeChange: the caller
  // ends the batch before this line, so each batch keeps precise types.
  Added add(std::string_view line, std::string_view position, std::string* error);
  size_t rows() const { return rows_.size(); }

  // Writes the kept rows into `out`, which must have no fields yet, then
  // forgets them (memory is reused for the next batch).
  void build(ferry::BatchBuilder& out);
  void clear();

 private:
  static constexpr uint32_t kNoText = UINT32_MAX;
  struct Cell {
    uint32_t field;
    const boost::json::value* value;
    uint32_t text;  // its (first) number's index in texts_, or kNoText
  };
  uint32_t field_index(std::string_view name, size_t ordinal);
  bool changes_a_type(const boost::json::object& row, const std::vector<uint8_t>& kinds) const;
  // The kind bit of each top-level value; false with `error` when one is a
  // number no type holds.
  bool classify(const boost::json::object& row, size_t first_text, std::vector<uint8_t>& kinds,
                std::string* error) const;
  void append_key(std::string& key, size_t row) const;
  void set_value(ferry::BatchBuilder& out, size_t row, const Cell& cell);

  std::vector<std::string> key_fields_;
  // DOM of the whole batch: parsed into one arena, released at once.
  BatchArena arena_;
  unsigned char parser_stack_[4096];
  boost::json::parser parser_;
  std::vector<boost::json::value> rows_;
  std::vector<Cell> cells_;
  std::vector<uint32_t> row_cells_;  // rows_.size() + 1 offsets into cells_
  std::string positions_;
  std::vector<uint32_t> position_ends_;
  // Fields: names_ is a deque so index_ can hold views into it.
  std::deque<std::string> names_;
  std::vector<uint8_t> masks_;
  std::unordered_map<std::string_view, uint32_t> index_;
  std::vector<FerryType> types_;
  std::string scratch_;
  std::vector<std::string> texts_;  // number texts of rows whose document rounds
  std::vector<std::string> line_texts_;
  std::vector<uint8_t> kinds_;
};

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_JSONL_PARSER_H_
