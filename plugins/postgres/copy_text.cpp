#include "copy_text.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "pg_array.h"
#include "text_values.h"
#include "time/civil_time.h"

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
  const int64_t y = t.year;
  const unsigned m = t.month, d = t.day;
  const bool bc = y <= 0;
  const int64_t shown = bc ? 1 - y : y;
  if (shown > 9999) {
    append_int(out, shown);
  } else {
    char yb[4];
    put_digits(yb, static_cast<unsigned>(shown), 4);
    out.append(yb, 4);
  }
  char b[26];
  b[0] = '-';
  put_digits(b + 1, m, 2);
  b[3] = '-';
  put_digits(b + 4, d, 2);
  b[6] = ' ';
  put_digits(b + 7, t.hour, 2);
  b[9] = ':';
  put_digits(b + 10, t.minute, 2);
  b[12] = ':';
  put_digits(b + 13, t.second, 2);
  b[15] = '.';
  put_digits(b + 16, static_cast<unsigned>(t.micros), 6);
  b[22] = '+';
  b[23] = '0';
  b[24] = '0';
  out.append(b, 25);
  if (bc) out.append(" BC");
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
  static const char kHex[] = "0123456789abcdef";
  const size_t at = out.size();
  out.resize(at + 3 + bytes.size() * 2);
  char* p = &out[at];
  *p++ = '\\';
  *p++ = '\\';
  *p++ = 'x';
  for (unsigned char c : bytes) {
    *p++ = kHex[c >> 4];
    *p++ = kHex[c & 15];
  }
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
