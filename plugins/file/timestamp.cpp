#include "timestamp.h"

#include <cstdio>

namespace ferry_file {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil), valid for every year an int64 timestamp can reach.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at s[*i].
bool digits(std::string_view s, size_t* i, size_t n, unsigned* out) {
  if (*i + n > s.size()) return false;
  unsigned v = 0;
  for (size_t k = 0; k < n; ++k) {
    const char c = s[*i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  *i += n;
  *out = v;
  return true;
}

bool expect(std::string_view s, size_t* i, char c) {
  if (*i >= s.size() || s[*i] != c) return false;
  ++*i;
  return true;
}

}  // namespace

std::optional<int64_t> parse_timestamp(std::string_view s) {
  size_t i = 0;
  unsigned year = 0, month = 0, day = 0;
  if (!digits(s, &i, 4, &year) || !expect(s, &i, '-') || !digits(s, &i, 2, &month) ||
      !expect(s, &i, '-') || !digits(s, &i, 2, &day))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  int64_t micros = days_from_civil(year, month, day) * kMicrosPerDay;
  if (i == s.size()) return micros;

  if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return std::nullopt;
  ++i;
  unsigned hh = 0, mm = 0, ss = 0;
  if (!digits(s, &i, 2, &hh) || !expect(s, &i, ':') || !digits(s, &i, 2, &mm)) return std::nullopt;
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!digits(s, &i, 2, &ss)) return std::nullopt;
  }
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;  // 60: a leap second
  int64_t fraction = 0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    size_t n = 0;
    int64_t scale = 100000;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n < 6) fraction += (s[i] - '0') * scale;
      scale /= 10;
      ++n;
      ++i;
    }
    if (n == 0 || n > 9) return std::nullopt;
  }
  micros += (int64_t{hh} * 3600 + mm * 60 + ss) * kMicrosPerSecond + fraction;
  if (i == s.size()) return micros;

  if (s[i] == 'Z' || s[i] == 'z') return i + 1 == s.size() ? std::optional<int64_t>(micros)
                                                            : std::nullopt;
  if (s[i] != '+' && s[i] != '-') return std::nullopt;
  const int64_t sign = s[i] == '+' ? 1 : -1;
  ++i;
  unsigned oh = 0, om = 0;
  if (!digits(s, &i, 2, &oh)) return std::nullopt;
  if (i < s.size()) {
    if (s[i] == ':') ++i;
    if (!digits(s, &i, 2, &om)) return std::nullopt;
  }
  if (i != s.size() || oh > 23 || om > 59) return std::nullopt;
  // Local time = UTC + offset, so UTC = local - offset.
  return micros - sign * (int64_t{oh} * 3600 + om * 60) * kMicrosPerSecond;
}

void append_timestamp(std::string& out, int64_t micros) {
  int64_t days = micros / kMicrosPerDay;
  int64_t rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  int64_t y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  const int64_t secs = rest / kMicrosPerSecond;
  const int64_t frac = rest % kMicrosPerSecond;
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ",
                              static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                              static_cast<long long>(secs / 60 % 60),
                              static_cast<long long>(secs % 60), static_cast<long long>(frac));
  out.append(buf, static_cast<size_t>(n));
}

}  // namespace ferry_file
