#include "text/safe_name.h"

namespace ferry::support {

uint32_t fnv1a32(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

std::string hex8(uint32_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kHex[v & 0xF];
  return out;
}

bool is_safe_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

std::string safe_name(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (!is_safe_name_char(c)) c = '_';
  return out;
}

std::string compact_time(std::string_view iso) {
  std::string out;
  out.reserve(iso.size());
  for (const char c : iso)
    if (c != '-' && c != ':') out += c;
  return out;
}

}  // namespace ferry::support
