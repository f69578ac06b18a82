#include "column_kind.h"

#include <time/civil_time.h>
#include <time/timestamp_text.h>

#include <charconv>
#include <cstdlib>

namespace ferry_maria_cdc {
namespace {

using ferry::support::read_digits;

// "YYYY-MM-DD", the date of both DATE and the date-times; the zero date and
// dates with a zero month or day have no calendar day.
bool parse_date(std::string_view s, size_t* i, int64_t* days) {
  unsigned year = 0, month = 0, day = 0;
  if (!read_digits(s, i, 4, &year) || *i >= s.size() || s[(*i)++] != '-' || !read_digits(s, i, 2, &month) ||
      *i >= s.size() || s[(*i)++] != '-' || !read_digits(s, i, 2, &day))
    return false;
  if (month < 1 || month > 12 || day < 1 || day > ferry::support::days_in_month(year, month)) return false;
  *days = ferry::support::days_from_civil(year, month, day);
  return true;
}

// "YYYY-MM-DD HH:MM:SS[.ffffff]" in microseconds since 1970, the wall time
// taken as UTC (the session's time zone is UTC).
bool parse_date_time(std::string_view s, int64_t* micros) {
  size_t i = 0;
  int64_t days = 0;
  unsigned hour = 0, minute = 0, second = 0;
  if (!parse_date(s, &i, &days) || i >= s.size() || s[i++] != ' ' || !read_digits(s, &i, 2, &hour) ||
      i >= s.size() || s[i++] != ':' || !read_digits(s, &i, 2, &minute) || i >= s.size() || s[i++] != ':' ||
      !read_digits(s, &i, 2, &second))
    return false;
  int64_t fraction = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 6) fraction = fraction * 10 + (s[i++] - '0'), ++digits;
    if (digits == 0) return false;
    for (; digits < 6; ++digits) fraction *= 10;
  }
  if (i != s.size() || hour > 23 || minute > 59 || second > 59) return false;
  *micros = (days * 86400 + hour * 3600 + minute * 60 + second) * 1000000 + fraction;
  return true;
}

}  // namespace

void canonicalize(Kind k, std::string* text) {
  if (k != Kind::kInt && k != Kind::kUInt64 && k != Kind::kDecimal && k != Kind::kYear) return;
  // YEAR 0 prints as 0000, and the stream says so too.
  if (k == Kind::kYear) return;
  const size_t sign = !text->empty() && text->front() == '-' ? 1 : 0;
  size_t zeros = 0;
  while (sign + zeros + 1 < text->size() && (*text)[sign + zeros] == '0' && (*text)[sign + zeros + 1] != '.') ++zeros;
  text->erase(sign, zeros);
}

FerryType ferry_type_of(Kind k) {
  switch (k) {
    case Kind::kInt: case Kind::kYear: return FERRY_TYPE_INT64;
    case Kind::kUInt64: case Kind::kDecimal: return FERRY_TYPE_DECIMAL;
    case Kind::kFloat: case Kind::kDouble: return FERRY_TYPE_DOUBLE;
    case Kind::kDatetime: case Kind::kTimestamp: return FERRY_TYPE_TIMESTAMP;
    case Kind::kBytes: return FERRY_TYPE_BYTES;
    default: return FERRY_TYPE_STRING;  // DATE, TIME, text
  }
}

std::string parse_text(Kind k, std::string_view text, ParsedValue* out) {
  out->type = ferry_type_of(k);
  out->scalar.type = out->type;
  switch (k) {
    case Kind::kInt:
    case Kind::kYear: {
      int64_t v = 0;
      const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || p != text.data() + text.size())
        return "integer '" + std::string(text) + "' does not fit INT64";
      out->scalar.as.i64 = v;
      return {};
    }
    case Kind::kFloat:
    case Kind::kDouble: {
      const std::string s(text);
      char* end = nullptr;
      out->scalar.as.f64 = std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size()) return "float '" + s + "' is not a number";
      if (k == Kind::kFloat) {
        // The shortest decimal that reads back the same float, as the
        // mysql source gives a FLOAT: copy and stream agree on it.
        char b[32];
        const auto r = std::to_chars(b, b + sizeof b, static_cast<float>(out->scalar.as.f64));
        out->scalar.as.f64 = std::strtod(std::string(b, r.ptr).c_str(), nullptr);
      }
      return {};
    }
    case Kind::kDate: {
      size_t i = 0;
      int64_t days = 0;
      if (!parse_date(text, &i, &days) || i != text.size())
        return "date '" + std::string(text) + "' is no calendar day (a zero date has no exact value)";
      out->text = text;
      return {};
    }
    case Kind::kDatetime:
    case Kind::kTimestamp:
      if (!parse_date_time(text, &out->scalar.as.i64))
        return "date-time '" + std::string(text) + "' is no calendar time (a zero date has no exact value)";
      return {};
    default:  // DECIMAL text, TIME, text, bytes: as they are
      out->text = text;
      return {};
  }
}

void put_value(ferry::BatchBuilder& batch, size_t row, size_t f, const ParsedValue& v) {
  switch (v.type) {
    case FERRY_TYPE_INT64: case FERRY_TYPE_DOUBLE: case FERRY_TYPE_TIMESTAMP:
      batch.slot(row, f) = v.scalar;
      return;
    default:
      batch.set_bytes(row, f, v.type, v.text);
  }
}

}  // namespace ferry_maria_cdc
