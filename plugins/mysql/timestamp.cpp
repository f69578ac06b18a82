#include "timestamp.h"

#include <cstdio>

namespace ferry_mysql {
namespace {

// H. Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
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
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2 ? 1 : 0);
}

bool digits(std::string_view s, size_t at, size_t n, unsigned* out) {
  if (at + n > s.size()) return false;
  unsigned v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

std::optional<int64_t> parse_datetime(std::string_view s) {
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, &y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, &mo) ||
      s[7] != '-' || !digits(s, 8, 2, &d) || s[10] != ' ' || !digits(s, 11, 2, &h) ||
      s[13] != ':' || !digits(s, 14, 2, &mi) || s[16] != ':' || !digits(s, 17, 2, &se))
    return std::nullopt;
  // 0000-00-00 and dates with a zero part exist in MySQL but name no instant.
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return std::nullopt;
  int64_t micros = 0;
  if (s.size() > 19) {
    if (s[19] != '.' || s.size() > 26 || s.size() == 20) return std::nullopt;
    unsigned frac = 0;
    const size_t n = s.size() - 20;
    if (!digits(s, 20, n, &frac)) return std::nullopt;
    for (size_t i = n; i < 6; ++i) frac *= 10;
    micros = frac;
  }
  const int64_t days = days_from_civil(y, mo, d);
  return (days * 86400 + h * 3600 + mi * 60 + se) * 1000000 + micros;
}

size_t format_datetime(int64_t micros, char* out) {
  // Remainders first: floor division by hand avoids overflow near INT64_MIN.
  int64_t secs = micros / 1000000;
  int64_t frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, &y, &m, &d);
  const int n = std::snprintf(out, kDatetimeTextSize, "%04lld-%02u-%02u %02u:%02u:%02u.%06u",
                              static_cast<long long>(y), m, d, static_cast<unsigned>(sod / 3600),
                              static_cast<unsigned>(sod / 60 % 60), static_cast<unsigned>(sod % 60),
                              static_cast<unsigned>(frac));
  return n > 0 ? static_cast<size_t>(n) : 0;
}

}  // namespace ferry_mysql
