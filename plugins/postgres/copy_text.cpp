#include "copy_text.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include <codec/hex.h>

#include "pg_array.h"
#include "time/civil_time.h"
#include "time/timestamp_text.h"

namespace ferry_pg {
namespace {

void put_digits(char* p, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

void append_int(std::string& out, int64_t v) {
  char buf[24];
  const char* end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, static_cast<size_t>(end - buf));
}

}  // namespace

void append_escaped(std::string& out, std::string_view s) {
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const char* esc = nullptr;
    switch (c) {
      case '\\': esc = "\\\\"; break;
      case '\n': esc = "\\n"; break;
      case '\r': esc = "\\r"; break;
      case '\t': esc = "\\t"; break;
      default: continue;
    }
    out.append(s.data() + start, i - start);
    out.append(esc, 2);
    start = i + 1;
  }
  out.append(s.data() + start, s.size() - start);
}

void append_timestamp(std::string& out, int64_t micros) {
  const ferry::support::UtcTime t = ferry::support::utc_from_micros(micros);
  // PostgreSQL has no year 0: ISO year 0 is 1 BC, -1 is 2 BC.
  const bool bc = t.year <= 0;
  const int64_t shown = bc ? 1 - t.year : t.year;
  char text[ferry::support::kTimestampTextMax];
  size_t n = 0;
  if (shown > 9999) {
    n = static_cast<size_t>(std::to_chars(text, text + 8, shown).ptr - text);
  } else {
    put_digits(text, static_cast<unsigned>(shown), 4);
    n = 4;
  }
  n += ferry::support::put_date_and_time(text + n, t, ' ', true);
  out.append(text, n);
  out.append(bc ? "+00 BC" : "+00");
}

void append_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out.append("NaN");
  } else if (std::isinf(v)) {
    out.append(v > 0 ? "Infinity" : "-Infinity");
  } else {
    char buf[32];
    const char* end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    out.append(buf, static_cast<size_t>(end - buf));
  }
}

void append_bytea(std::string& out, std::string_view bytes) {
  out += "\\\\x";
  ferry::support::append_hex(out, bytes);
}

bool append_copy_value(std::string& out, const FerryValue& v, bool array_column) {
  const std::string_view text =
      v.as.bytes.size ? std::string_view(v.as.bytes.data, v.as.bytes.size) : std::string_view();
  switch (v.type) {
    case FERRY_TYPE_NULL:
      out.append("\\N", 2);
      return true;
    case FERRY_TYPE_BOOL:
      out += v.as.boolean ? 't' : 'f';
      return true;
    case FERRY_TYPE_INT64:
      append_int(out, v.as.i64);
      return true;
    case FERRY_TYPE_DOUBLE:
      append_double(out, v.as.f64);
      return true;
    case FERRY_TYPE_TIMESTAMP:
      append_timestamp(out, v.as.i64);
      return true;
    case FERRY_TYPE_BYTES:
      append_bytea(out, text);
      return true;
    case FERRY_TYPE_JSON:
      if (array_column) {
        std::string literal;
        if (!json_array_to_pg(text, &literal)) return false;
        append_escaped(out, literal);
        return true;
      }
      append_escaped(out, text);
      return true;
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_DECIMAL:
      append_escaped(out, text);
      return true;
    default:
      return false;
  }
}

}  // namespace ferry_pg
