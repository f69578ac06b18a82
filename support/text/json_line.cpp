#include "text/json_line.h"

#include <boost/json/basic_parser_impl.hpp>

namespace ferry::support {

bool is_valid_json(std::string_view text) {
  boost::json::basic_parser<JsonValidator> p(boost::json::parse_options{});
  boost::system::error_code ec;
  const std::size_t used = p.write_some(false, text.data(), text.size(), ec);
  return !ec && used == text.size();
}

bool append_json_line(std::string& out, std::string_view text) {
  if (!is_valid_json(text)) return false;
  if (text.find_first_of("\r\n") == std::string_view::npos) {
    out.append(text);
    return true;
  }
  out.reserve(out.size() + text.size());
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      out.push_back(c);
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c == '"') in_string = true;
    out.push_back(c);
  }
  return true;
}

}  // namespace ferry::support
