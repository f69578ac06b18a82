#include "time/timestamp_parse.h"

#include <limits>

#include "time/civil_time.h"
#include "time/timestamp_text.h"

namespace ferry::support {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

bool expect(std::string_view s, size_t* i, char c) {
  if (*i >= s.size() || s[*i] != c) return false;
  ++*i;
  return true;
}

// "YYYY", or ISO 8601's expanded year: a sign and 4 to 6 digits (what an
// int64 of microseconds reaches).
bool read_year(std::string_view s, size_t* i, bool expanded, int64_t* year) {
  if (*i >= s.size() || (s[*i] != '+' && s[*i] != '-')) {
    unsigned y = 0;
    if (!read_digits(s, i, 4, &y)) return false;
    *year = y;
    return true;
  }
  if (!expanded) return false;
  const bool negative = s[*i] == '-';
  size_t end = *i + 1;
  while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
  const size_t n = end - *i - 1;
  if (n < 4 || n > 6) return false;
  unsigned y = 0;
  size_t at = *i + 1;
  if (!read_digits(s, &at, n, &y)) return false;
  *i = end;
  *year = negative ? -int64_t{y} : int64_t{y};
  return true;
}

// Expanded years reach past what int64 microseconds hold; the sum is made
// wide and checked once.
using Wide = __int128;

std::optional<int64_t> fit(Wide micros) {
  if (micros < std::numeric_limits<int64_t>::min() || micros > std::numeric_limits<int64_t>::max())
    return std::nullopt;
  return static_cast<int64_t>(micros);
}

}  // namespace

std::optional<int64_t> parse_iso_timestamp(std::string_view s, const TimestampGrammar& g) {
  size_t i = 0;
  int64_t year = 0;
  unsigned month = 0, day = 0;
  if (!read_year(s, &i, g.expanded_years, &year) || !expect(s, &i, '-') || !read_digits(s, &i, 2, &month) ||
      !expect(s, &i, '-') || !read_digits(s, &i, 2, &day))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  Wide micros = Wide{days_from_civil(year, month, day)} * kMicrosPerDay;
  if (i == s.size()) return g.date_only ? fit(micros) : std::nullopt;

  if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return std::nullopt;
  ++i;
  unsigned hh = 0, mm = 0, ss = 0;
  if (!read_digits(s, &i, 2, &hh) || !expect(s, &i, ':') || !read_digits(s, &i, 2, &mm)) return std::nullopt;
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!read_digits(s, &i, 2, &ss)) return std::nullopt;
  } else if (g.seconds_required) {
    return std::nullopt;
  }
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
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
  if (i == s.size()) return g.zone_required ? std::nullopt : fit(micros);

  if (s[i] == 'Z' || s[i] == 'z') return i + 1 == s.size() ? fit(micros) : std::nullopt;
  if (s[i] != '+' && s[i] != '-') return std::nullopt;
  const int64_t sign = s[i] == '+' ? 1 : -1;
  ++i;
  unsigned oh = 0, om = 0;
  if (!read_digits(s, &i, 2, &oh)) return std::nullopt;
  if (i < s.size()) {
    if (s[i] == ':') ++i;
    if (!read_digits(s, &i, 2, &om)) return std::nullopt;
  }
  if (i != s.size() || oh > 23 || om > 59) return std::nullopt;
  // Local time = UTC + offset, so UTC = local - offset.
  return fit(micros - sign * (int64_t{oh} * 3600 + om * 60) * kMicrosPerSecond);
}

}  // namespace ferry::support
