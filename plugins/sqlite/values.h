// How Ferry values are stored in SQLite: column types and bindings.
#ifndef FERRY_PLUGINS_SQLITE_VALUES_H_
#define FERRY_PLUGINS_SQLITE_VALUES_H_

#include <ferry/plugin.h>
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>

namespace ferry_sqlite {

// Declared column type for a field type ("" for FERRY_TYPE_NULL: no
// affinity, so whatever later arrives is stored as is).
const char* column_type(FerryType type);

// Enough for "-292277-01-01T00:00:00.000000Z", the int64 extremes.
constexpr size_t kTimestampTextSize = 40;

// Writes ISO-8601 UTC with microseconds, "2024-01-02T03:04:05.123456Z", and
// returns its length. Text, not a number: it sorts, compares and reads the
// same in sqlite3, and SQLite's date functions accept it.
size_t format_timestamp(int64_t micros, char* out);

// Binds `v` to parameter `index` (1-based). Bytes are bound without a copy,
// so `v` and `scratch` (kTimestampTextSize bytes) must outlive the step.
int bind_value(sqlite3_stmt* stmt, int index, const FerryValue& v, char* scratch);

}  // namespace ferry_sqlite

#endif  // FERRY_PLUGINS_SQLITE_VALUES_H_
