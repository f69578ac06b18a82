#include "wide_text.h"

#include <stdexcept>

namespace ferry_validate {

bool to_code_points(std::string_view utf8, std::wstring& out) {
  out.clear();
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    size_t n = 0;
    char32_t cp = 0;
    if (b < 0x80) {
      n = 1;
      cp = b;
    } else if (b >= 0xC2 && b < 0xE0) {
      n = 2;
      cp = b & 0x1F;
    } else if (b >= 0xE0 && b < 0xF0) {
      n = 3;
      cp = b & 0x0F;
    } else if (b >= 0xF0 && b < 0xF5) {
      n = 4;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (utf8.size() - i < n) return false;
    for (size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(utf8[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    out.push_back(static_cast<wchar_t>(cp));
    i += n;
  }
  return true;
}

const std::locale& pattern_locale() {
  static const std::locale loc = [] {
    try {
      return std::locale("C.UTF-8");
    } catch (const std::runtime_error&) {
      return std::locale::classic();
    }
  }();
  return loc;
}

}  // namespace ferry_validate
