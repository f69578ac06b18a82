#include "text_values.h"

#include "time/civil_time.h"

namespace ferry_pg {
namespace {

// Reads exactly `width` digits (or, with width 0, one or more).
bool digits(std::string_view s, size_t* i, size_t width, int64_t* out) {
  int64_t v = 0;
  size_t n = 0;
  while (*i < s.size() && s[*i] >= '0' && s[*i] <= '9' && (width == 0 || n < width)) {
    if (v > 100000000) return false;  // no date field is that long
    v = v * 10 + (s[*i] - '0');
    ++*i;
    ++n;
  }
  *out = v;
  return n > 0 && (width == 0 || n == width);
}

bool expect(std::string_view s, size_t* i, char c) {
  if (*i >= s.size() || s[*i] != c) return false;
  ++*i;
  return true;
}

}  // namespace

TimestampParse parse_timestamp(std::string_view s, int64_t* micros) {
  if (s == "infinity" || s == "-infinity") return TimestampParse::kInfinite;
  size_t i = 0;
  int64_t year, month, day, hour, minute, second;
  if (!digits(s, &i, 0, &year) || !expect(s, &i, '-') || !digits(s, &i, 2, &month) ||
      !expect(s, &i, '-') || !digits(s, &i, 2, &day) || !(expect(s, &i, ' ') || expect(s, &i, 'T')) ||
      !digits(s, &i, 2, &hour) || !expect(s, &i, ':') || !digits(s, &i, 2, &minute) ||
      !expect(s, &i, ':') || !digits(s, &i, 2, &second))
    return TimestampParse::kBad;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60)
    return TimestampParse::kBad;
  int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int64_t scale = 100000;
    size_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n < 6) frac += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
      ++n;
    }
    if (n == 0) return TimestampParse::kBad;
  }
  int64_t offset_s = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const int sign = s[i] == '-' ? -1 : 1;
    ++i;
    int64_t oh = 0, om = 0, os = 0;
    if (!digits(s, &i, 2, &oh)) return TimestampParse::kBad;
    if (expect(s, &i, ':') && !digits(s, &i, 2, &om)) return TimestampParse::kBad;
    if (expect(s, &i, ':') && !digits(s, &i, 2, &os)) return TimestampParse::kBad;
    offset_s = sign * (oh * 3600 + om * 60 + os);
  }
  if (s.substr(i) == " BC") {
    year = 1 - year;  // 1 BC is year 0
    i = s.size();
  }
  if (i != s.size()) return TimestampParse::kBad;

  const int64_t days = ferry::support::days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  int64_t out;
  if (__builtin_mul_overflow(secs, int64_t{1000000}, &out) ||
      __builtin_add_overflow(out, frac, &out))
    return TimestampParse::kOutOfRange;
  *micros = out;
  return TimestampParse::kOk;
}

}  // namespace ferry_pg
