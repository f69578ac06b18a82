#include "cli/time_arg.h"

#include <cstdio>
#include <ctime>

#include "cli/commands.h"

namespace ferry::cli {
namespace {

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in(int y, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap(y) ? 29 : kDays[month - 1];
}

const char* month_name(int month) {
  static const char* kNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                 "July",    "August",   "September", "October", "November", "December"};
  return kNames[month - 1];
}

}  // namespace

int64_t parse_time_arg(const std::string& text, const std::string& option) {
  auto fail = [&](const std::string& why) -> UsageError { return UsageError(option + ": " + why); };
  bool digits = !text.empty();
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  if (digits && text.size() > 10) return std::stoll(text);

  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0;
  std::tm tm{};
  int matched = std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n);
  if (matched != 3) throw fail("'" + text + "' is not a time (use 2026-11-21 or 2026-11-21T09:30:00Z)");
  size_t pos = static_cast<size_t>(n);
  int offset_min = 0;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    int m = 0;
    if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d:%2d%n", &h, &mi, &s, &m) != 3)
      throw fail("'" + text + "' is not a time (use 2026-11-21T09:30:00Z)");
    pos += 1 + static_cast<size_t>(m);
    if (pos < text.size() && text[pos] == '.')
      while (++pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      }
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      int oh = 0, om = 0;
      if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d", &oh, &om) != 2)
        throw fail("'" + text + "' has a bad UTC offset");
      offset_min = (text[pos] == '-' ? -1 : 1) * (oh * 60 + om);
      pos = text.size();
    } else if (pos < text.size() && text[pos] == 'Z') {
      ++pos;
    }
  }
  if (pos != text.size()) throw fail("'" + text + "' is not a time (trailing '" + text.substr(pos) + "')");
  // timegm() would roll 2026-02-30 over into March: refuse instead.
  if (mo < 1 || mo > 12) throw fail("'" + text + "' is not a date (there is no month " + std::to_string(mo) + ")");
  if (d < 1 || d > days_in(y, mo))
    throw fail("'" + text + "' is not a date (" + month_name(mo) + " " + std::to_string(y) + " has " +
               std::to_string(days_in(y, mo)) + " days)");
  if (h > 23 || mi > 59 || s > 59) throw fail("'" + text + "' is not a valid time of day");
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset_min * 60;
  return secs * 1000;
}

}  // namespace ferry::cli
