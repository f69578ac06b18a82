#include "text/value_text.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <string_view>

#include "time/civil_time.h"
#include "time/timestamp_text.h"

namespace ferry::support {
namespace {

constexpr size_t kMaxDisplayChars = 64;

std::string_view view(const FerryBytes& b) { return b.size ? std::string_view(b.data, b.size) : std::string_view(); }

// The first kMaxDisplayChars characters of UTF-8 text; `cut` says whether
// anything was left out.
std::string_view head(std::string_view s, bool* cut) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (chars++ == kMaxDisplayChars) {
      *cut = true;
      return s.substr(0, i);
    }
  }
  *cut = false;
  return s;
}

}  // namespace

std::string double_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, static_cast<size_t>(r.ptr - buf));
}

std::string iso_timestamp(int64_t micros) {
  const UtcTime t = utc_from_micros(micros);
  char text[kTimestampTextMax];
  size_t n = put_iso_year(text, t.year);
  n += put_date_and_time(text + n, t, 'T', t.micros != 0);
  text[n++] = 'Z';
  return std::string(text, n);
}

std::string display_value(const FerryValue& v) {
  bool cut = false;
  switch (v.type) {
    case FERRY_TYPE_NULL: return "null";
    case FERRY_TYPE_BOOL: return v.as.boolean ? "true" : "false";
    case FERRY_TYPE_INT64: return std::to_string(v.as.i64);
    case FERRY_TYPE_TIMESTAMP: return iso_timestamp(v.as.i64);
    case FERRY_TYPE_DOUBLE: return double_text(v.as.f64);
    case FERRY_TYPE_DECIMAL: return std::string(view(v.as.bytes));
    case FERRY_TYPE_STRING: {
      std::string out = boost::json::serialize(boost::json::string(head(view(v.as.bytes), &cut)));
      return cut ? out + "..." : out;
    }
    case FERRY_TYPE_JSON: {
      std::string out(head(view(v.as.bytes), &cut));
      return cut ? out + "..." : out;
    }
    case FERRY_TYPE_BYTES: return std::to_string(v.as.bytes.size) + " bytes";
    default: return "?";
  }
}

std::string join_reasons(const std::vector<std::string>& reasons) {
  std::string out;
  for (const std::string& r : reasons) {
    if (!out.empty()) out += "; ";
    out += r;
  }
  return out;
}

}  // namespace ferry::support
