#include "sql/sql_identifier.h"

namespace ferry::support {

std::string quote_identifier(std::string_view name, char quote) {
  std::string out;
  out.reserve(name.size() + 2);
  out += quote;
  for (char c : name) {
    if (c == quote) out += quote;
    out += c;
  }
  out += quote;
  return out;
}

}  // namespace ferry::support
