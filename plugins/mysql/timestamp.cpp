#include "timestamp.h"


#include "time/civil_time.h"
#include "time/timestamp_text.h"

namespace ferry_mysql {
namespace {

using ferry::support::days_from_civil;

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
  const ferry::support::UtcTime t = ferry::support::utc_from_micros(micros);
  const size_t n = ferry::support::put_iso_year(out, t.year);
  return n + ferry::support::put_date_and_time(out + n, t, ' ', true);
}

}  // namespace ferry_mysql
