// SQL identifiers: quoting, and "schema.table" names from options.
#ifndef FERRY_PLUGINS_POSTGRES_IDENT_H_
#define FERRY_PLUGINS_POSTGRES_IDENT_H_

#include <optional>
#include <string>
#include <string_view>

namespace ferry_pg {

// "name" with embedded quotes doubled: every identifier we put in SQL text
// goes through this, so names are taken literally (case-sensitive).
std::string quote_ident(std::string_view name);

// A table name from an option: `table`, `schema.table`, or with quoted
// parts (`"My Schema"."Orders"`) when a part contains a dot.
struct TableName {
  std::string schema;  // empty: the search_path decides
  std::string table;
  std::string quoted() const;
};

// nullopt when the text is not a valid name.
std::optional<TableName> parse_table_name(std::string_view text);

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_IDENT_H_
