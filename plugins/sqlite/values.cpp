#include "values.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

#include <sql/schema_contract.h>
#include "time/timestamp_text.h"

#include "number_text.h"

namespace ferry_sqlite {
namespace {

static_assert(kTimestampTextSize >= ferry::support::kTimestampTextMax);

// SQLite turns a NULL data pointer into SQL NULL; an empty value is not NULL.
const char* non_null(const char* p) { return p != nullptr ? p : ""; }

// Whether SQLite's own text of a REAL (15 significant digits, "%!.15g")
// reads back as the same double. Then its text ("1.0", "1.0e-07", "Inf")
// is kept, as it always was; only a double it would round goes as the
// shortest text that is exact.
bool survives_sqlite_text(double d) {
  if (d == 0 && std::signbit(d)) return false;  // SQLite writes "0.0"
  if (!std::isfinite(d)) return true;
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "%.15g", d);
  double back = 0;
  const auto r = std::from_chars(buf, buf + n, back);
  return r.ec == std::errc() && back == d;
}

}  // namespace

const char* column_type(FerryType type) {
  switch (type) {
    case FERRY_TYPE_INT64:
    case FERRY_TYPE_BOOL:
      return "INTEGER";
    case FERRY_TYPE_DOUBLE:
      return "REAL";
    case FERRY_TYPE_BYTES:
      return "BLOB";
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_JSON:
    case FERRY_TYPE_DECIMAL:  // TEXT, so "12.50" keeps its scale
    case FERRY_TYPE_TIMESTAMP:
      return "TEXT";
    default:
      return "";
  }
}

Affinity affinity_of(std::string_view declared_type) {
  const std::string type = ferry::support::fold_ascii(declared_type);
  const auto has = [&type](const char* part) { return type.find(part) != std::string::npos; };
  // In SQLite's order: the first rule that matches decides.
  if (has("int")) return Affinity::kInteger;
  if (has("char") || has("clob") || has("text")) return Affinity::kText;
  if (has("blob") || type.empty()) return Affinity::kBlob;
  if (has("real") || has("floa") || has("doub")) return Affinity::kReal;
  return Affinity::kNumeric;
}

std::optional<std::string> unstorable(const FerryValue& v, Affinity column) {
  if (v.type == FERRY_TYPE_DOUBLE && std::isnan(v.as.f64)) return "NaN has no SQLite form (SQLite stores it as NULL)";
  if (v.type == FERRY_TYPE_DOUBLE && v.as.f64 == 0 && std::signbit(v.as.f64) &&
      (column == Affinity::kReal || column == Affinity::kNumeric || column == Affinity::kInteger))
    return "-0 would be stored as 0 in a column of REAL, NUMERIC or INTEGER affinity";
  if (v.type == FERRY_TYPE_STRING || v.type == FERRY_TYPE_DECIMAL)
    return numeric_text_changes(std::string_view(non_null(v.as.bytes.data), v.as.bytes.size), column);
  if (v.type == FERRY_TYPE_INT64 && column == Affinity::kReal) {
    // Exactly representable: the double converts back to the same integer.
    // 2^63 itself is not an int64, so the range test comes first.
    const double d = static_cast<double>(v.as.i64);
    if (d >= 9223372036854775808.0 || static_cast<int64_t>(d) != v.as.i64)
      return "the integer " + std::to_string(v.as.i64) +
             " has no exact form in a REAL column (SQLite would store it as the nearest double)";
  }
  return std::nullopt;
}

int bind_value(sqlite3_stmt* stmt, int index, const FerryValue& v, Affinity column, char* scratch) {
  if (v.type == FERRY_TYPE_DOUBLE && column == Affinity::kText && !survives_sqlite_text(v.as.f64)) {
    const std::to_chars_result r = std::to_chars(scratch, scratch + kTimestampTextSize, v.as.f64);
    if (r.ec != std::errc()) return SQLITE_MISMATCH;
    return sqlite3_bind_text(stmt, index, scratch, static_cast<int>(r.ptr - scratch), SQLITE_STATIC);
  }
  switch (v.type) {
    case FERRY_TYPE_NULL:
      return sqlite3_bind_null(stmt, index);
    case FERRY_TYPE_BOOL:
      return sqlite3_bind_int(stmt, index, v.as.boolean != 0 ? 1 : 0);
    case FERRY_TYPE_INT64:
      return sqlite3_bind_int64(stmt, index, v.as.i64);
    case FERRY_TYPE_DOUBLE:
      return sqlite3_bind_double(stmt, index, v.as.f64);
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_JSON:
    case FERRY_TYPE_DECIMAL:
      return sqlite3_bind_text64(stmt, index, non_null(v.as.bytes.data), v.as.bytes.size,
                                 SQLITE_STATIC, SQLITE_UTF8);
    case FERRY_TYPE_BYTES:
      return sqlite3_bind_blob64(stmt, index, non_null(v.as.bytes.data), v.as.bytes.size,
                                 SQLITE_STATIC);
    case FERRY_TYPE_TIMESTAMP: {
      const size_t n = ferry::support::put_iso_timestamp(scratch, v.as.i64);
      return sqlite3_bind_text(stmt, index, scratch, static_cast<int>(n), SQLITE_STATIC);
    }
    default:
      // An unknown type is a producer bug; SQLITE_MISMATCH makes it a
      // rejected row rather than silently stored garbage.
      return SQLITE_MISMATCH;
  }
}

}  // namespace ferry_sqlite
