#include "value_text.h"

#include <boost/json.hpp>
#include <ferry/plugin.hpp>

#include "number.h"

namespace ferry_validate {
namespace {

constexpr size_t kMaxDisplayChars = 64;

// Cuts on a character boundary so the message stays valid UTF-8.
std::string_view cut(std::string_view s, bool* truncated) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (chars++ == kMaxDisplayChars) {
      *truncated = true;
      return s.substr(0, i);
    }
  }
  *truncated = false;
  return s;
}

std::string quoted(std::string_view s) {
  bool truncated = false;
  std::string_view head = cut(s, &truncated);
  std::string out = boost::json::serialize(boost::json::string(head));
  if (truncated) out += "...";
  return out;
}

}  // namespace

std::string display(const FerryValue& v) {
  switch (v.type) {
    case FERRY_TYPE_NULL: return "null";
    case FERRY_TYPE_BOOL: return v.as.boolean ? "true" : "false";
    case FERRY_TYPE_INT64:
    case FERRY_TYPE_TIMESTAMP: return std::to_string(v.as.i64);
    case FERRY_TYPE_DOUBLE: return double_text(v.as.f64);
    case FERRY_TYPE_DECIMAL: return std::string(ferry::view(v.as.bytes));
    case FERRY_TYPE_STRING: return quoted(ferry::view(v.as.bytes));
    case FERRY_TYPE_JSON: {
      bool truncated = false;
      std::string out(cut(ferry::view(v.as.bytes), &truncated));
      return truncated ? out + "..." : out;
    }
    case FERRY_TYPE_BYTES: return std::to_string(v.as.bytes.size) + " bytes";
    default: return "?";
  }
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace ferry_validate
