#include "values.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

#include <sql/schema_contract.h>
#include "time/civil_time.h"

#include "number_text.h"

namespace ferry_sqlite {
namespace {

using ferry::support::civil_from_days;

// SQLite turns a NULL data pointer into SQL NULL; an empty value is not NULL.
const char* non_null(const char* p) { return p != nullptr ? p : ""; }

// Whether SQLite's own text of a REAL (15 significant digits, "%!.15g")
// reads back as the same double. Then its text ("1.0", "1.0e-07", "Inf")
// is kept, as it always was; only a double it would round goes as the
// shortest text that is exact.
bool survives_sqlite_text(double d) {
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

size_t format_timestamp(int64_t micros, char* out) {
  // Remainders first: `floor(x / n) * n` overflows near INT64_MIN.
  int64_t secs = micros / 1000000;
  int64_t frac_s = micros % 1000000;
  if (frac_s < 0) {
    frac_s += 1000000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t sod_s = secs % 86400;
  if (sod_s < 0) {
    sod_s += 86400;
    --days;
  }
  const unsigned frac = static_cast<unsigned>(frac_s);
  const unsigned sod = static_cast<unsigned>(sod_s);
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, &y, &m, &d);
  if (y < 0 || y > 9999) {
    // Outside ISO's four-digit years; rare enough for snprintf.
    const int n =
        std::snprintf(out, kTimestampTextSize, "%lld-%02u-%02uT%02u:%02u:%02u.%06uZ",
                      static_cast<long long>(y), m, d, sod / 3600, sod / 60 % 60, sod % 60, frac);
    return n > 0 ? static_cast<size_t>(n) : 0;
  }
  // Hand-rolled: this runs once per timestamp value on the insert path.
  auto put = [](char* p, unsigned v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(out, static_cast<unsigned>(y), 4);
  out[4] = '-';
  put(out + 5, m, 2);
  out[7] = '-';
  put(out + 8, d, 2);
  out[10] = 'T';
  put(out + 11, sod / 3600, 2);
  out[13] = ':';
  put(out + 14, sod / 60 % 60, 2);
  out[16] = ':';
  put(out + 17, sod % 60, 2);
  out[19] = '.';
  put(out + 20, frac, 6);
  out[26] = 'Z';
  return 27;
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
      const size_t n = format_timestamp(v.as.i64, scratch);
      return sqlite3_bind_text(stmt, index, scratch, static_cast<int>(n), SQLITE_STATIC);
    }
    default:
      // An unknown type is a producer bug; SQLITE_MISMATCH makes it a
      // rejected row rather than silently stored garbage.
      return SQLITE_MISMATCH;
  }
}

}  // namespace ferry_sqlite
