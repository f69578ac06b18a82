// Ferry values in COPY ... FROM STDIN text format (tab-separated, \N for
// NULL, backslash escapes), appended to a buffer: no allocation per value.
#ifndef FERRY_PLUGINS_POSTGRES_COPY_TEXT_H_
#define FERRY_PLUGINS_POSTGRES_COPY_TEXT_H_

#include <ferry/plugin.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry_pg {

// Backslash, newline, carriage return and tab escaped; everything else
// (UTF-8 included) as is.
void append_escaped(std::string& out, std::string_view text);

// "YYYY-MM-DD HH:MM:SS.ffffff+00", " BC" for years before 1.
void append_timestamp(std::string& out, int64_t micros);

// Shortest text that reads back to the same double; NaN, Infinity, -Infinity.
void append_double(std::string& out, double v);

// bytea hex input, escaped for COPY: "\\x0aff".
void append_bytea(std::string& out, std::string_view bytes);

// One value. `array_column`: the target column is a PostgreSQL array and
// JSON arrays are turned into array literals. Returns false (and appends
// nothing) when the value cannot be written to such a column.
bool append_copy_value(std::string& out, const FerryValue& v, bool array_column);

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_COPY_TEXT_H_
