#include "common/control_chars.h"

#include <algorithm>

namespace ferry::core {

std::string escape_controls(std::string_view text) {
  const auto control = [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7f;
  };
  if (std::none_of(text.begin(), text.end(), control)) return std::string(text);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 8);
  for (const char ch : text) {
    if (!control(ch)) {
      out += ch;
      continue;
    }
    const auto c = static_cast<unsigned char>(ch);
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

}  // namespace ferry::core
