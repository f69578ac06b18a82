#include "source_columns.h"

namespace ferry_pg {

// Built-in type OIDs (pg_type.h).
ColumnKind kind_of(unsigned oid, char category, bool* as_json) {
  *as_json = false;
  switch (oid) {
    case 20: case 21: case 23: case 26: return ColumnKind::kInt;  // int8 int2 int4 oid
    case 1700: return ColumnKind::kDecimal;
    case 700: case 701: return ColumnKind::kDouble;
    case 16: return ColumnKind::kBool;
    case 17: return ColumnKind::kBytes;
    case 1114: case 1184: return ColumnKind::kTimestamp;
    case 114: case 3802: return ColumnKind::kJson;
    default: break;
  }
  if (category == 'A') {
    *as_json = true;  // the server writes the JSON: nesting, quoting and NULLs done right
    return ColumnKind::kJson;
  }
  return ColumnKind::kString;  // text, varchar, char, name, uuid, enums, date, time, ...
}

FerryType ferry_type(ColumnKind k) {
  switch (k) {
    case ColumnKind::kInt: return FERRY_TYPE_INT64;
    case ColumnKind::kDecimal: return FERRY_TYPE_DECIMAL;
    case ColumnKind::kDouble: return FERRY_TYPE_DOUBLE;
    case ColumnKind::kBool: return FERRY_TYPE_BOOL;
    case ColumnKind::kBytes: return FERRY_TYPE_BYTES;
    case ColumnKind::kTimestamp: return FERRY_TYPE_TIMESTAMP;
    case ColumnKind::kJson: return FERRY_TYPE_JSON;
    case ColumnKind::kString: break;
  }
  return FERRY_TYPE_STRING;
}

Wire wire_of(const SourceColumn& col) {
  if (col.as_json) return Wire::kText;  // to_json(): json, whose binary form is its text
  switch (col.kind) {
    case ColumnKind::kInt: case ColumnKind::kDouble: case ColumnKind::kBool: case ColumnKind::kBytes:
    case ColumnKind::kTimestamp:
      return Wire::kBinary;
    case ColumnKind::kJson: return col.oid == 3802 ? Wire::kJsonb : Wire::kText;
    case ColumnKind::kDecimal: case ColumnKind::kString: break;
  }
  return Wire::kText;
}

bool sends_its_text(unsigned oid) { return oid == 25 || oid == 1043 || oid == 19 || oid == 1042; }

}  // namespace ferry_pg
