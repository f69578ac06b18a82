#include "cli/time_arg.h"

#include <cstdio>
#include <ctime>

#include "common/error.h"

namespace ferry::cli {

int64_t parse_time_arg(const std::string& text) {
  bool digits = !text.empty();
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  if (digits && text.size() > 10) return std::stoll(text);

  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0;
  std::tm tm{};
  int matched = std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n);
  if (matched != 3) throw core::Error("'" + text + "' is not a time (use 2026-11-21 or 2026-11-21T09:30:00Z)");
  size_t pos = static_cast<size_t>(n);
  int offset_min = 0;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    int m = 0;
    if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d:%2d%n", &h, &mi, &s, &m) != 3)
      throw core::Error("'" + text + "' is not a time (use 2026-11-21T09:30:00Z)");
    pos += 1 + static_cast<size_t>(m);
    if (pos < text.size() && text[pos] == '.')
      while (++pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      }
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      int oh = 0, om = 0;
      if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d", &oh, &om) != 2)
        throw core::Error("'" + text + "' has a bad UTC offset");
      offset_min = (text[pos] == '-' ? -1 : 1) * (oh * 60 + om);
      pos = text.size();
    } else if (pos < text.size() && text[pos] == 'Z') {
      ++pos;
    }
  }
  if (pos != text.size()) throw core::Error("'" + text + "' is not a time (trailing '" + text.substr(pos) + "')");
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    throw core::Error("'" + text + "' is not a valid date and time");
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
