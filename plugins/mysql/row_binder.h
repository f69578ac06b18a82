// Ferry values as prepared-statement parameters.
#ifndef FERRY_PLUGINS_MYSQL_ROW_BINDER_H_
#define FERRY_PLUGINS_MYSQL_ROW_BINDER_H_

#include <cppconn/prepared_statement.h>
#include <ferry/plugin.h>

#include <optional>
#include <string>

namespace ferry_mysql {

// Why MySQL cannot hold `v` at all (NaN, infinity, an unknown type), checked
// before sending so that such a row is rejected alone, without a bisection.
std::optional<std::string> unstorable(const FerryValue& v);

// Binds `v` to parameter `index` (1-based). Text and bytes go as strings
// (the server converts to the column type: DECIMAL text stays exact),
// timestamps as "YYYY-MM-DD HH:MM:SS.ffffff" UTC text.
void bind_value(sql::PreparedStatement& stmt, unsigned index, const FerryValue& v);

// Rough wire size of a value, to keep one statement well under
// max_allowed_packet.
size_t wire_size(const FerryValue& v);

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_ROW_BINDER_H_
