#include "xml_text.h"

#include <ferry/json_text.hpp>

#include <charconv>
#include <cstdint>

namespace ferry_s3 {
namespace {

struct Element {
  size_t inner_begin = std::string_view::npos;
  size_t inner_end = 0;
  size_t end = 0;  // just past the closing tag
};

// Finds the next <tag ...>...</tag> or <tag/> at or after `from`.
Element find_element(std::string_view xml, std::string_view tag, size_t from) {
  Element e;
  const std::string open = "<" + std::string(tag);
  for (size_t at = xml.find(open, from); at != std::string_view::npos;
       at = xml.find(open, at + 1)) {
    const size_t after = at + open.size();
    if (after >= xml.size()) return e;
    const char c = xml[after];
    if (c != '>' && c != '/' && c != ' ' && c != '\t' && c != '\r' && c != '\n') continue;
    const size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) return e;
    if (xml[gt - 1] == '/') {  // <tag/>
      e.inner_begin = e.inner_end = gt + 1;
      e.end = gt + 1;
      return e;
    }
    const std::string close = "</" + std::string(tag) + ">";
    const size_t ce = xml.find(close, gt + 1);
    if (ce == std::string_view::npos) return e;
    e.inner_begin = gt + 1;
    e.inner_end = ce;
    e.end = ce + close.size();
    return e;
  }
  return e;
}

std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const size_t semi = s.find(';', i);
    if (semi == std::string_view::npos) {
      out += s.substr(i);
      break;
    }
    const std::string_view name = s.substr(i + 1, semi - i - 1);
    if (name == "amp") out += '&';
    else if (name == "lt") out += '<';
    else if (name == "gt") out += '>';
    else if (name == "quot") out += '"';
    else if (name == "apos") out += '\'';
    else if (name.size() > 1 && name[0] == '#') {
      const bool is_hex = name[1] == 'x' || name[1] == 'X';
      const std::string_view digits = name.substr(is_hex ? 2 : 1);
      uint32_t cp = 0;
      const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), cp,
                                     is_hex ? 16 : 10);
      if (r.ec != std::errc() || cp > 0x10FFFF) out += s.substr(i, semi - i + 1);
      else ferry::append_utf8(out, cp);
    } else {
      out += s.substr(i, semi - i + 1);  // unknown: keep as written
    }
    i = semi;
  }
  return out;
}

}  // namespace

std::optional<std::string> xml_text(std::string_view xml, std::string_view tag) {
  const Element e = find_element(xml, tag, 0);
  if (e.inner_begin == std::string_view::npos) return std::nullopt;
  return decode_entities(xml.substr(e.inner_begin, e.inner_end - e.inner_begin));
}

std::vector<std::string_view> xml_blocks(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  size_t from = 0;
  for (;;) {
    const Element e = find_element(xml, tag, from);
    if (e.inner_begin == std::string_view::npos) return out;
    out.push_back(xml.substr(e.inner_begin, e.inner_end - e.inner_begin));
    from = e.end;
  }
}

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace ferry_s3
