#include "value_text.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>
#include <tuple>

#include "text_codec.h"
#include "time/civil_time.h"

namespace ferry_s3 {
namespace {

using ferry::support::civil_from_days;

void append_padded(std::string& out, int64_t v, int width) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v < 0 ? -v : v);
  if (v < 0) out += '-';
  for (int pad = width - static_cast<int>(r.ptr - buf); pad > 0; --pad) out += '0';
  out.append(buf, r.ptr);
}

}  // namespace


void append_int(std::string& out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_double(std::string& out, double v, std::string_view nonfinite) {
  if (!std::isfinite(v)) {
    out += nonfinite;
    return;
  }
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_timestamp(std::string& out, int64_t micros) {
  constexpr int64_t kPerDay = 86400LL * 1000000;
  int64_t days = micros / kPerDay;
  int64_t rem = micros % kPerDay;
  if (rem < 0) {
    rem += kPerDay;
    --days;
  }
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, &y, &m, &d);
  if (y < 0 || y > 9999) {  // rare: the general path
    const int64_t secs = rem / 1000000;
    append_padded(out, y, 4);
    for (const auto& [sep, v, w] : {std::tuple<char, int64_t, int>{'-', m, 2}, {'-', d, 2}, {'T', secs / 3600, 2},
                                     {':', secs / 60 % 60, 2}, {':', secs % 60, 2}, {'.', rem % 1000000, 6}}) {
      out += sep;
      append_padded(out, v, w);
    }
    out += 'Z';
    return;
  }
  // One fixed-width write: this runs once per timestamp of every row.
  char buf[] = "0000-00-00T00:00:00.000000Z";
  auto put = [&buf](int at, int width, int64_t v) {
    for (int i = at + width - 1; i >= at; --i, v /= 10) buf[i] = static_cast<char>('0' + v % 10);
  };
  const int64_t secs = rem / 1000000;
  put(0, 4, y);
  put(5, 2, m);
  put(8, 2, d);
  put(11, 2, secs / 3600);
  put(14, 2, secs / 60 % 60);
  put(17, 2, secs % 60);
  put(20, 6, rem % 1000000);
  out.append(buf, sizeof buf - 1);
}

bool append_json_value(std::string& out, std::string_view text) {
  unsigned char buf[4096];
  boost::json::monotonic_resource mr(buf, sizeof buf);
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec, &mr);
  if (ec) return false;
  // A line break inside would split a JSONL line (and cost CSV quoting).
  if (text.find_first_of("\r\n") == std::string_view::npos) out += text;
  else out += boost::json::serialize(v);
  return true;
}

}  // namespace ferry_s3
