#include "value_text.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <ferry/json_text.hpp>
#include <ferry/plugin.hpp>

#include "timestamp.h"

namespace ferry_map {
namespace {

constexpr size_t kMaxDisplayChars = 64;

}  // namespace

std::string double_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, static_cast<size_t>(r.ptr - buf));
}

std::string text_of(const FerryValue& v, std::string& out) {
  switch (v.type) {
    case FERRY_TYPE_BOOL:
      out = v.as.boolean ? "true" : "false";
      return {};
    case FERRY_TYPE_INT64:
      out = std::to_string(v.as.i64);
      return {};
    case FERRY_TYPE_DOUBLE:
      out = double_text(v.as.f64);
      return {};
    case FERRY_TYPE_TIMESTAMP:
      out = format_timestamp(v.as.i64);
      return {};
    case FERRY_TYPE_BYTES:
      if (!ferry::is_valid_utf8(ferry::view(v.as.bytes))) return "bytes are not valid UTF-8";
      out = std::string(ferry::view(v.as.bytes));
      return {};
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_JSON:
    case FERRY_TYPE_DECIMAL:
      out = std::string(ferry::view(v.as.bytes));
      return {};
    default:
      return std::string(type_name(v.type)) + " has no text";
  }
}

std::string display(const FerryValue& v) {
  std::string text;
  switch (v.type) {
    case FERRY_TYPE_NULL: return "null";
    case FERRY_TYPE_BYTES: return std::to_string(v.as.bytes.size) + " bytes";
    case FERRY_TYPE_STRING: break;
    default:
      if (!text_of(v, text).empty()) return "?";
      return text;
  }
  // Cut on a character boundary so the message stays valid UTF-8.
  const std::string_view s = ferry::view(v.as.bytes);
  size_t chars = 0, end = s.size();
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (chars++ == kMaxDisplayChars) {
      end = i;
      break;
    }
  }
  std::string out = boost::json::serialize(boost::json::string(s.substr(0, end)));
  return end < s.size() ? out + "..." : out;
}

}  // namespace ferry_map
