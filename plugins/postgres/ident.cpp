#include "ident.h"

#include <vector>

#include <sql/sql_identifier.h>

namespace ferry_pg {

std::string quote_ident(std::string_view name) {
  return ferry::support::quote_identifier(name, '"');
}

std::string TableName::quoted() const {
  return schema.empty() ? quote_ident(table) : quote_ident(schema) + "." + quote_ident(table);
}

std::optional<TableName> parse_table_name(std::string_view text) {
  std::vector<std::string> parts(1);
  bool quoted_part = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted_part) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          parts.back() += '"';
          ++i;
        } else {
          quoted_part = false;
        }
      } else {
        parts.back() += c;
      }
    } else if (c == '"') {
      quoted_part = true;
    } else if (c == '.') {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  if (quoted_part || parts.size() > 2) return std::nullopt;
  for (const std::string& p : parts)
    if (p.empty()) return std::nullopt;
  TableName name;
  if (parts.size() == 2) name.schema = parts[0];
  name.table = parts.back();
  return name;
}

}  // namespace ferry_pg
