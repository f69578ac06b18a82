#include "value_text.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
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

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    static const uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
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
      if (!valid_utf8(ferry::view(v.as.bytes))) return "bytes are not valid UTF-8";
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

const char* type_name(FerryType t) {
  switch (t) {
    case FERRY_TYPE_NULL: return "null";
    case FERRY_TYPE_BOOL: return "bool";
    case FERRY_TYPE_INT64: return "int64";
    case FERRY_TYPE_DOUBLE: return "double";
    case FERRY_TYPE_STRING: return "string";
    case FERRY_TYPE_BYTES: return "bytes";
    case FERRY_TYPE_TIMESTAMP: return "timestamp";
    case FERRY_TYPE_JSON: return "json";
    case FERRY_TYPE_DECIMAL: return "decimal";
    default: return "unknown";
  }
}

}  // namespace ferry_map
