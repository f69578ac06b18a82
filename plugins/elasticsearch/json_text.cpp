#include "json_text.h"

#include <array>
#include <charconv>
#include <cmath>

#include "time/civil_time.h"

namespace ferry_es {
namespace {

using ferry::support::civil_from_days;

// 1 for bytes that may be copied into a JSON string as they are.
constexpr std::array<bool, 256> make_plain() {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
  return t;
}
constexpr std::array<bool, 256> kPlain = make_plain();

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.append(u, 6);
    }
  }
}

char* put_digits(char* p, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

}  // namespace

bool append_json_string(std::string& out, std::string_view s) {
  out += '"';
  size_t run = 0;  // start of the pending run of plain bytes
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (kPlain[c]) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const size_t n = ferry::utf8_sequence_length(s, i);
      if (n == 0) return false;
      i += n;  // valid multi-byte text is copied as it is
      continue;
    }
    out.append(s.data() + run, i - run);
    append_escape(out, c);
    run = ++i;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
  return true;
}

void append_json_double(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  // Plain digits where JavaScript would print them too (1e-7 <= |v| < 1e21),
  // exponent notation beyond. An integral value keeps a ".0": printed as "1"
  // it would make Elasticsearch's dynamic mapping type the field `long` if it
  // came first, and later fractions would then be coerced to integers.
  const double mag = std::fabs(v);
  const bool plain = mag == 0 || (mag >= 1e-7 && mag < 1e21);
  char buf[400];
  const auto r = plain ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                       : std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
  if (std::string_view(buf, static_cast<size_t>(r.ptr - buf)).find_first_of(".e") == std::string_view::npos)
    out += ".0";
}

void append_json_int(std::string& out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_iso8601_micros(std::string& out, int64_t micros) {
  constexpr int64_t kPerDay = 86400LL * 1000000;
  int64_t days = micros / kPerDay;
  int64_t rest = micros % kPerDay;
  if (rest < 0) {  // floor, so that times before 1970 count back from midnight
    rest += kPerDay;
    --days;
  }
  int64_t year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(days, &year, &month, &day);
  const auto secs = static_cast<unsigned>(rest / 1000000);
  const auto frac = static_cast<unsigned>(rest % 1000000);

  char buf[48];
  char* p = buf;
  *p++ = '"';
  if (year >= 0 && year <= 9999) {
    p = put_digits(p, static_cast<unsigned>(year), 4);
  } else {
    // Outside 0000..9999 ISO-8601 needs a sign and more digits.
    *p++ = year < 0 ? '-' : '+';
    p = std::to_chars(p, buf + 16, year < 0 ? -year : year).ptr;
  }
  *p++ = '-';
  p = put_digits(p, month, 2);
  *p++ = '-';
  p = put_digits(p, day, 2);
  *p++ = 'T';
  p = put_digits(p, secs / 3600, 2);
  *p++ = ':';
  p = put_digits(p, secs / 60 % 60, 2);
  *p++ = ':';
  p = put_digits(p, secs % 60, 2);
  *p++ = '.';
  p = put_digits(p, frac, 6);
  *p++ = 'Z';
  *p++ = '"';
  out.append(buf, p);
}

}  // namespace ferry_es
