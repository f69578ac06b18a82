#include "text_value.h"

#include <codec/hex.h>
#include <time/civil_time.h>
#include <time/timestamp_text.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace ferry_pg_cdc {
namespace {

// Type OIDs of pg_type.h, stable across PostgreSQL versions.
enum : uint32_t {
  kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26, kJson = 114,
  kFloat4 = 700, kFloat8 = 701, kTimestamp = 1114, kTimestampTz = 1184, kNumeric = 1700, kJsonb = 3802,
};

// "2024-05-01 10:00:00.123456+00" (timestamptz, TimeZone UTC) or without
// the zone (timestamp), a year of four or more digits, " BC" after it.
bool parse_timestamp(std::string_view s, int64_t* micros) {
  size_t i = 0;
  size_t year_digits = 0;
  while (i + year_digits < s.size() && s[i + year_digits] >= '0' && s[i + year_digits] <= '9') ++year_digits;
  if (year_digits < 4) return false;
  int64_t year = 0;
  for (size_t k = 0; k < year_digits; ++k) year = year * 10 + (s[k] - '0');
  i = year_digits;
  unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0;
  using ferry::support::read_digits;
  if (i >= s.size() || s[i++] != '-' || !read_digits(s, &i, 2, &month)) return false;
  if (i >= s.size() || s[i++] != '-' || !read_digits(s, &i, 2, &day)) return false;
  if (i >= s.size() || s[i++] != ' ' || !read_digits(s, &i, 2, &hour)) return false;
  if (i >= s.size() || s[i++] != ':' || !read_digits(s, &i, 2, &minute)) return false;
  if (i >= s.size() || s[i++] != ':' || !read_digits(s, &i, 2, &second)) return false;
  int64_t fraction = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 6) fraction = fraction * 10 + (s[i++] - '0'), ++digits;
    if (digits == 0 || (i < s.size() && s[i] >= '0' && s[i] <= '9')) return false;
    for (; digits < 6; ++digits) fraction *= 10;
  }
  if (s.substr(i, 3) == "+00") i += 3;  // TimeZone is UTC: no other offset is printed
  if (s.substr(i) == " BC") {
    year = 1 - year;
    i = s.size();
  }
  if (i != s.size() || month < 1 || month > 12 || day < 1 || day > ferry::support::days_in_month(year, month) ||
      hour > 23 || minute > 59 || second > 59)
    return false;
  const int64_t days = ferry::support::days_from_civil(year, month, day);
  const int64_t secs = hour * 3600 + minute * 60 + second;
  const long double total = (static_cast<long double>(days) * 86400 + secs) * 1e6L + fraction;
  if (total > static_cast<long double>(INT64_MAX) || total < static_cast<long double>(INT64_MIN)) return false;
  *micros = (days * 86400 + secs) * 1000000 + fraction;
  return true;
}

}  // namespace

FerryType ferry_type_of(uint32_t oid) {
  switch (oid) {
    case kBool: return FERRY_TYPE_BOOL;
    case kInt2: case kInt4: case kInt8: case kOid: return FERRY_TYPE_INT64;
    case kFloat4: case kFloat8: return FERRY_TYPE_DOUBLE;
    case kNumeric: return FERRY_TYPE_DECIMAL;
    case kTimestamp: case kTimestampTz: return FERRY_TYPE_TIMESTAMP;
    case kBytea: return FERRY_TYPE_BYTES;
    case kJson: case kJsonb: return FERRY_TYPE_JSON;
    default: return FERRY_TYPE_STRING;
  }
}

std::string parse_text(uint32_t oid, std::string_view text, ParsedValue* out) {
  out->type = ferry_type_of(oid);
  out->scalar.type = out->type;
  switch (out->type) {
    case FERRY_TYPE_BOOL:
      if (text != "t" && text != "f") return "boolean '" + std::string(text) + "' is neither t nor f";
      out->scalar.as.boolean = text == "t" ? 1 : 0;
      return {};
    case FERRY_TYPE_INT64: {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || p != text.data() + text.size())
        return "integer '" + std::string(text) + "' does not fit INT64";
      out->scalar.as.i64 = v;
      return {};
    }
    case FERRY_TYPE_DOUBLE: {
      // extra_float_digits = 3: the shortest text that reads back as the
      // same value.
      const std::string s(text);
      char* end = nullptr;
      out->scalar.as.f64 = std::strtod(s.c_str(), &end);
      if (end != s.c_str() + s.size()) return "float '" + s + "' is not a number";
      return {};
    }
    case FERRY_TYPE_DECIMAL:
      if (text == "NaN" || text == "Infinity" || text == "-Infinity")
        return "numeric '" + std::string(text) + "' has no exact DECIMAL form";
      out->text = text;
      return {};
    case FERRY_TYPE_TIMESTAMP:
      if (!parse_timestamp(text, &out->scalar.as.i64))
        return "timestamp '" + std::string(text) + "' has no TIMESTAMP form (microseconds since 1970 in 64 bits)";
      return {};
    case FERRY_TYPE_BYTES:
    {
      std::optional<std::string> bytes;
      if (text.size() >= 2 && text[0] == '\\' && text[1] == 'x') bytes = ferry::support::hex_decode(text.substr(2));
      if (!bytes) return "bytea is not in hex form";
      out->decoded = std::move(*bytes);
      return {};
    }
    default:  // STRING, JSON
      out->text = text;
      return {};
  }
}

void put_value(ferry::BatchBuilder& batch, size_t row, size_t f, const ParsedValue& v) {
  switch (v.type) {
    case FERRY_TYPE_BOOL: case FERRY_TYPE_INT64: case FERRY_TYPE_DOUBLE: case FERRY_TYPE_TIMESTAMP:
      batch.slot(row, f) = v.scalar;
      return;
    case FERRY_TYPE_BYTES:
      batch.set_bytes(row, f, FERRY_TYPE_BYTES, v.decoded);
      return;
    default:
      batch.set_bytes(row, f, v.type, v.text);
  }
}

}  // namespace ferry_pg_cdc
