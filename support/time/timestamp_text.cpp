#include "time/timestamp_text.h"

namespace ferry::support {
namespace {

// `width` decimal digits of `v`, zero-padded.
char* put_digits(char* out, uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i, v /= 10) out[i] = static_cast<char>('0' + v % 10);
  return out + width;
}

int digit_count(uint64_t v) {
  int n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

}  // namespace

size_t put_iso_year(char* out, int64_t year) {
  if (year >= 0 && year <= 9999) {
    put_digits(out, static_cast<uint64_t>(year), 4);
    return 4;
  }
  const uint64_t magnitude = year < 0 ? 0 - static_cast<uint64_t>(year) : static_cast<uint64_t>(year);
  out[0] = year < 0 ? '-' : '+';
  const int width = digit_count(magnitude) < 4 ? 4 : digit_count(magnitude);
  put_digits(out + 1, magnitude, width);
  return static_cast<size_t>(width) + 1;
}

size_t put_date_and_time(char* out, const UtcTime& t, char sep, bool fraction) {
  char* p = out;
  *p++ = '-';
  p = put_digits(p, t.month, 2);
  *p++ = '-';
  p = put_digits(p, t.day, 2);
  *p++ = sep;
  p = put_digits(p, t.hour, 2);
  *p++ = ':';
  p = put_digits(p, t.minute, 2);
  *p++ = ':';
  p = put_digits(p, t.second, 2);
  if (fraction) {
    *p++ = '.';
    p = put_digits(p, static_cast<uint64_t>(t.micros), 6);
  }
  return static_cast<size_t>(p - out);
}

size_t put_iso_timestamp(char* out, int64_t micros) {
  const UtcTime t = utc_from_micros(micros);
  size_t n = put_iso_year(out, t.year);
  n += put_date_and_time(out + n, t, 'T', true);
  out[n++] = 'Z';
  return n;
}

void append_iso_timestamp(std::string& out, int64_t micros) {
  char text[kTimestampTextMax];
  out.append(text, put_iso_timestamp(text, micros));
}

}  // namespace ferry::support
