// Typed CSV columns (`columns_types`): names and text -> value conversion.
// Pure C++, no host.
#ifndef FERRY_PLUGINS_FILE_COLUMN_TYPES_H_
#define FERRY_PLUGINS_FILE_COLUMN_TYPES_H_

#include <ferry/plugin.h>

#include <optional>
#include <string>
#include <string_view>

namespace ferry_file {

enum class ColumnType { kString, kInt64, kDouble, kBool, kTimestamp, kJson };

// "int64" | "double" | "bool" | "string" | "timestamp" | "json".
std::optional<ColumnType> column_type_from_name(std::string_view name);
FerryType ferry_type(ColumnType t);
const char* column_type_name(ColumnType t);

// Converts the text of a non-null field. STRING and JSON values point into
// `text`. Returns false when the text is not a valid value of `type`.
//   int64: optional sign and digits; double: decimal or exponent form, also
//   "nan"/"inf"; bool: true/false, t/f, yes/no, 1/0 (any case);
//   timestamp: see parse_timestamp; json: one JSON value.
bool convert_text(std::string_view text, ColumnType type, FerryValue* out);

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_COLUMN_TYPES_H_
