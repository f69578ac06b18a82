// How a column of the captured table reads, and the Ferry value it becomes.
// Both the copy (SELECT, text protocol) and the stream (row_image.h) give a
// value as the text the server prints in a UTC session; one parser turns
// that text into the Ferry value, so a row reads the same either way.
#ifndef FERRY_PLUGINS_MARIADB_CDC_COLUMN_KIND_H_
#define FERRY_PLUGINS_MARIADB_CDC_COLUMN_KIND_H_

#include <ferry/plugin.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry_maria_cdc {

enum class Kind {
  kInt,        // TINYINT..BIGINT signed, INT UNSIGNED and smaller: INT64
  kUInt64,     // BIGINT UNSIGNED: exceeds INT64, so exact DECIMAL text
  kDecimal,    // DECIMAL: DECIMAL text
  kFloat,      // FLOAT: the shortest decimal that reads back the same float
  kDouble,     // DOUBLE
  kYear,       // YEAR: INT64
  kDate,       // DATE: its text, YYYY-MM-DD
  kDatetime,   // DATETIME: TIMESTAMP, the wall time taken as UTC
  kTimestamp,  // TIMESTAMP: TIMESTAMP (UTC)
  kTime,       // TIME: its text, [-]HH:MM:SS[.fraction]
  kText,       // CHAR, VARCHAR, TEXT types (utf8mb4, utf8mb3, ascii): STRING
  kBytes,      // BINARY, VARBINARY, BLOB types: BYTES
};

struct ColumnKind {
  std::string name;
  Kind kind = Kind::kText;
  bool is_unsigned = false;  // integers: how the binlog's bytes read
  std::string sql_type;      // COLUMN_TYPE, for messages
};

FerryType ferry_type_of(Kind k);

// A value's text turned into a Ferry value.
struct ParsedValue {
  FerryType type = FERRY_TYPE_NULL;
  FerryValue scalar{};    // INT64, DOUBLE, TIMESTAMP
  std::string_view text;  // STRING, DECIMAL, BYTES: the text itself
};

// A number as the stream prints it: a ZEROFILL column's copy is printed
// with leading zeros, which neither its value nor its key may keep.
void canonicalize(Kind k, std::string* text);

// Returns an empty string, or why the value has no exact Ferry form (a zero
// date): the change then goes to the DLQ. `out` may point into `text`.
std::string parse_text(Kind k, std::string_view text, ParsedValue* out);
void put_value(ferry::BatchBuilder& batch, size_t row, size_t f, const ParsedValue& v);

}  // namespace ferry_maria_cdc

#endif  // FERRY_PLUGINS_MARIADB_CDC_COLUMN_KIND_H_
