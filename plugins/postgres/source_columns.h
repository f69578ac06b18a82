// A column of the postgres source: how its type maps to a Ferry value and
// in which form it arrives in a page (its own binary form, jsonb's, or the
// text its output function prints).
#ifndef FERRY_PLUGINS_POSTGRES_SOURCE_COLUMNS_H_
#define FERRY_PLUGINS_POSTGRES_SOURCE_COLUMNS_H_

#include <ferry/plugin.hpp>

#include <string>

namespace ferry_pg {

enum class ColumnKind { kInt, kDecimal, kDouble, kBool, kString, kBytes, kTimestamp, kJson };

// How a column's value arrives in a (binary) page.
enum class Wire {
  kBinary,  // the type's own binary form (kInt, kDouble, kBool, kBytes, kTimestamp)
  kJsonb,   // jsonb's binary form: a version byte, then the text
  kText,    // text: text-like types, json, or what an output function printed
};

struct SourceColumn {
  std::string name;
  ColumnKind kind = ColumnKind::kString;
  bool as_json = false;  // arrays: selected through to_json()
  std::string sql_type;  // for casting bound cursor values
  unsigned oid = 0;
  std::string output_fn;  // the type's output function, e.g. uuid_out
  std::string text_expr;  // how its text is selected: `uuid_out(ferry_src."u")`, or a cast
  Wire wire = Wire::kText;
  int text_at = -1;  // the result column with its text form (cursor and key columns)
  int dims_at = -1;  // arrays: the result column with array_dims(), e.g. "[0:2]"
};

// The kind of a column of type `oid` in pg_type category `category`
// (built-in OIDs; everything else is read as text). Arrays are read as the
// JSON the server writes (`*as_json`).
ColumnKind kind_of(unsigned oid, char category, bool* as_json);
FerryType ferry_type(ColumnKind k);
// Which types arrive in their own binary form; the rest as text.
Wire wire_of(const SourceColumn& col);
// text, varchar, name, bpchar: the binary form is the text itself (char(n)
// with its padding, as its output prints it).
bool sends_its_text(unsigned oid);

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_SOURCE_COLUMNS_H_
