// JSON Pointer (RFC 6901) paths for definition issues, so that every message
// names the exact value at fault: "/sinks/0/config/table".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ferry::core::pipeline_internal {

// Appends one object key; '~' and '/' are escaped so that a key such as
// "a/b" cannot be mistaken for two levels.
inline std::string pointer_append(const std::string& base, std::string_view key) {
  std::string out = base;
  out.reserve(base.size() + key.size() + 1);
  out += '/';
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

inline std::string pointer_append(const std::string& base, std::size_t index) {
  return base + '/' + std::to_string(index);
}

}  // namespace ferry::core::pipeline_internal
