#include "position.h"

#include <boost/json.hpp>

namespace ferry_pg {

void append_position(std::string& out, const std::vector<std::string_view>& values) {
  static const char kHex[] = "0123456789abcdef";
  out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      const unsigned char u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (u < 0x20) {
        out += "\\u00";
        out += kHex[u >> 4];
        out += kHex[u & 15];
      } else {
        out += c;
      }
    }
    out += '"';
  }
  out += ']';
}

std::optional<std::vector<std::string>> parse_position(std::string_view text, size_t count) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_array() || v.as_array().size() != count) return std::nullopt;
  std::vector<std::string> out;
  for (const boost::json::value& item : v.as_array()) {
    if (!item.is_string()) return std::nullopt;
    out.emplace_back(item.as_string().data(), item.as_string().size());
  }
  return out;
}

}  // namespace ferry_pg
