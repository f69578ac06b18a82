// Ferry values in COPY ... FROM STDIN (FORMAT binary), appended to a buffer.
//
// The server parses binary input much faster than text (a timestamptz is
// eight bytes instead of a string to parse), but binary input must match
// the column type exactly. So each value is encoded only when it has an
// exact binary form for its column (append_binary_value answers false
// otherwise), and the sink sends a batch holding one that has none as text
// COPY: the server then converts or rejects values just as it always did.
#ifndef FERRY_PLUGINS_POSTGRES_COPY_BINARY_H_
#define FERRY_PLUGINS_POSTGRES_COPY_BINARY_H_

#include <ferry/plugin.h>

#include <cstdint>
#include <string>

namespace ferry_pg {

// A target column type with a binary encoder; kNone: text COPY only.
enum class BinaryColumn {
  kNone, kInt2, kInt4, kInt8, kFloat8, kBool, kText, kBytea,
  kTimestamp,    // timestamp (without time zone)
  kTimestampTz,  // timestamptz
  kNumeric, kJson, kJsonb
};

// By the column's type OID (built-in types only: domains, enums, arrays
// and the rest are kNone).
BinaryColumn binary_column_for(unsigned type_oid);

// True if `v` (NULL included) has an exact binary form for `col`.
bool binary_fits(const FerryValue& v, BinaryColumn col);

// "PGCOPY\n\377\r\n\0", flags, header extension length.
void append_binary_header(std::string& out);
// The field count that starts each row.
void append_binary_row_start(std::string& out, uint16_t fields);
// One field (length word and bytes); false, with nothing appended, when `v`
// has no exact binary form for `col` (binary_fits answers the same).
bool append_binary_value(std::string& out, const FerryValue& v, BinaryColumn col);
void append_binary_int8(std::string& out, int64_t v);
void append_binary_bool(std::string& out, bool v);
// The -1 field count that ends the data.
void append_binary_trailer(std::string& out);

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_COPY_BINARY_H_
