#include "template.h"

#include <ferry/plugin.hpp>

namespace ferry_map {
namespace {

[[noreturn]] void fail(const std::string& field, const std::string& what) {
  throw ferry::Error(FERRY_ERROR_CONFIG, "map: template of field '" + field + "' " + what);
}

}  // namespace

std::vector<TemplatePiece> parse_template(std::string_view text, const std::string& field) {
  std::vector<TemplatePiece> pieces;
  std::string literal;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool doubled = i + 1 < text.size() && text[i + 1] == c;
    if (c == '}') {
      if (!doubled) fail(field, "has a '}' without '{' (write '}}' for a literal brace)");
      literal += '}';
      ++i;
      continue;
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    if (doubled) {
      literal += '{';
      ++i;
      continue;
    }
    const size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos) fail(field, "has an unclosed '{'");
    const std::string_view name = text.substr(i + 1, close - i - 1);
    if (name.empty()) fail(field, "has an empty field name '{}'");
    if (name.find('{') != std::string_view::npos) fail(field, "has a '{' inside a field name");
    if (!literal.empty()) pieces.push_back(TemplatePiece{false, std::move(literal)});
    literal.clear();
    pieces.push_back(TemplatePiece{true, std::string(name)});
    i = close;
  }
  if (!literal.empty()) pieces.push_back(TemplatePiece{false, std::move(literal)});
  return pieces;
}

}  // namespace ferry_map
