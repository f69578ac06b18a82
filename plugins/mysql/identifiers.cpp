#include "identifiers.h"

#include <cctype>

#include "mysql/mysql_session.h"

namespace ferry_mysql {

std::string quote_ident(std::string_view name) {
  return ferry::support::mysql::quote_ident(name);
}

std::string quote_table(std::string_view database, std::string_view table) {
  return quote_ident(database) + "." + quote_ident(table);
}

bool same_column(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

}  // namespace ferry_mysql
