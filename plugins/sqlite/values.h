// How Ferry values are stored in SQLite: column types and bindings.
#ifndef FERRY_PLUGINS_SQLITE_VALUES_H_
#define FERRY_PLUGINS_SQLITE_VALUES_H_

#include <ferry/plugin.h>
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry_sqlite {

// Declared column type for a field type ("" for FERRY_TYPE_NULL: no
// affinity, so whatever later arrives is stored as is).
const char* column_type(FerryType type);

// Room for a TIMESTAMP's text, which is ISO 8601 UTC with microseconds,
// "2024-01-02T03:04:05.123456Z" (years beyond four digits in its expanded
// form, "+10000-01-01..."): text, not a number, so it sorts, compares and
// reads the same in sqlite3, and SQLite's date functions accept it.
constexpr size_t kTimestampTextSize = 40;

// A column's type affinity, which decides how SQLite converts what is
// bound to it (https://sqlite.org/datatype3.html, 3.1), from its declared
// type. kBlob is "no affinity": values are stored as they come.
enum class Affinity { kText, kNumeric, kInteger, kReal, kBlob };
Affinity affinity_of(std::string_view declared_type);

// Why `v` cannot be stored exactly in a column of affinity `column`, or
// nullopt. SQLite stores NaN as NULL, and a REAL column turns an integer
// into a double, which rounds beyond 2^53.
std::optional<std::string> unstorable(const FerryValue& v, Affinity column);

// Binds `v` to parameter `index` (1-based) of a column of affinity
// `column`. Bytes are bound without a copy, so `v` and `scratch`
// (kTimestampTextSize bytes) must outlive the step. A double bound to a
// TEXT column goes as its shortest exact text: SQLite's own conversion
// keeps 15 digits.
int bind_value(sqlite3_stmt* stmt, int index, const FerryValue& v, Affinity column, char* scratch);

}  // namespace ferry_sqlite

#endif  // FERRY_PLUGINS_SQLITE_VALUES_H_
