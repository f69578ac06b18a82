// A column's text, as PostgreSQL prints it with the session settings of
// pg_link.h, turned into a Ferry value of the type its column maps to.
// Both the snapshot (SELECT) and the change stream (pgoutput) print values
// with the same output functions, so a row reads the same either way.
#ifndef FERRY_PLUGINS_POSTGRES_CDC_TEXT_VALUE_H_
#define FERRY_PLUGINS_POSTGRES_CDC_TEXT_VALUE_H_

#include <ferry/plugin.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry_pg_cdc {

// The Ferry type of a column of type `oid`: integers, floats, booleans,
// numeric (DECIMAL), timestamps, bytea, json/jsonb; every other type as its
// text (STRING).
FerryType ferry_type_of(uint32_t oid);

// A value parsed from its text, ready to go into a batch.
struct ParsedValue {
  FerryType type = FERRY_TYPE_NULL;
  FerryValue scalar{};    // BOOL, INT64, DOUBLE, TIMESTAMP
  std::string_view text;  // STRING, JSON, DECIMAL: the column's text
  std::string decoded;    // BYTES
};

// Parses `text` of a column of type `oid`. Returns an empty string, or why
// the value has no exact Ferry form (a numeric NaN, an infinite timestamp):
// the record then goes to the DLQ. `out` may point into `text`.
std::string parse_text(uint32_t oid, std::string_view text, ParsedValue* out);
void put_value(ferry::BatchBuilder& batch, size_t row, size_t f, const ParsedValue& v);

}  // namespace ferry_pg_cdc

#endif  // FERRY_PLUGINS_POSTGRES_CDC_TEXT_VALUE_H_
