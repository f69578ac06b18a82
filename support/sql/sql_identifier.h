// The one way a table or column name reaches SQL text in Ferry: between
// quote characters, each one inside doubled, so no name from a pipeline or a
// batch can change what a statement means.
#pragma once

#include <string>
#include <string_view>

namespace ferry::support {

// '"' for standard SQL (PostgreSQL, SQLite), '`' for MySQL / MariaDB.
std::string quote_identifier(std::string_view name, char quote);

}  // namespace ferry::support
