// Options of the mysql source.
#ifndef FERRY_PLUGINS_MYSQL_SOURCE_OPTIONS_H_
#define FERRY_PLUGINS_MYSQL_SOURCE_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connection_options.h"

namespace ferry {
class Context;
}

namespace ferry_mysql {

struct SourceOptions {
  ConnectionOptions connection;
  std::string table;  // exactly one of table / query
  std::string query;
  // Keyset cursor: 1 or 2 columns, unique together and NOT NULL. Default for
  // a table: its primary key.
  std::vector<std::string> cursor;
  int64_t partitions = 1;
  std::string partition_column;  // integer column; required if partitions > 1
  std::optional<int64_t> min;    // partition range; read from the table if unset
  std::optional<int64_t> max;
  // false: every run reads everything again (the stored position is ignored).
  bool incremental = true;
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the offending option.
SourceOptions parse_source_options(const ferry::Context& ctx);

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_SOURCE_OPTIONS_H_
