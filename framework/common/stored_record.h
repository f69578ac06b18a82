// The text of a record as the DLQ keeps it (engine/record_json.h writes
// it): {"schema":[{"name":..,"type":..},...],"values":{..}}. Replay groups
// records by their schema's text, and the SQLite state store keeps each
// schema's text once; both find it without parsing the values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry::core {

// One past the ']' that closes the record's schema array; npos when the
// text does not start with {"schema":[ or the array does not close.
size_t stored_schema_end(std::string_view record_json);

// A record that starts with its schema, split into the schema's text and
// the rest as an object of its own ("{" and what followed the schema's
// comma). join_stored_record gives back the very same text.
struct SplitRecord {
  std::string_view schema;
  std::string rest;
};
std::optional<SplitRecord> split_stored_record(std::string_view record_json);
std::string join_stored_record(std::string_view schema, std::string_view rest);

// Whether the record starts with exactly this schema text (a cheap
// comparison for records stored one after another with the same schema).
bool stored_record_has_schema(std::string_view record_json, std::string_view schema);

}  // namespace ferry::core
