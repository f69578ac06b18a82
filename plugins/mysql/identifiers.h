// Identifier quoting: every table and column name reaches SQL text through
// here, so no name from a config or a batch can change a statement's meaning.
#ifndef FERRY_PLUGINS_MYSQL_IDENTIFIERS_H_
#define FERRY_PLUGINS_MYSQL_IDENTIFIERS_H_

#include <string>
#include <string_view>

namespace ferry_mysql {

// `name` with embedded backticks doubled.
std::string quote_ident(std::string_view name);
// `database`.`table`
std::string quote_table(std::string_view database, std::string_view table);
// MySQL column names compare case-insensitively.
bool same_column(std::string_view a, std::string_view b);

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_IDENTIFIERS_H_
