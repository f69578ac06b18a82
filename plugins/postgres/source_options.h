// Options of the postgres source.
#ifndef FERRY_PLUGINS_POSTGRES_SOURCE_OPTIONS_H_
#define FERRY_PLUGINS_POSTGRES_SOURCE_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ident.h"

namespace ferry {
class Context;
}

namespace ferry_pg {

struct SourceOptions {
  std::string dsn;
  std::optional<TableName> table;  // exactly one of table / query
  std::string query;
  std::vector<std::string> cursor;  // 1 or 2 columns: a unique keyset order
  std::vector<std::string> key;     // record key columns; defaults to cursor
  int64_t partitions = 1;
  std::string partition_column;     // integer column; required when partitions > 1
  std::optional<int64_t> min;       // partition range; queried when absent
  std::optional<int64_t> max;
  bool incremental = true;          // false: every run starts from the beginning
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the option.
SourceOptions parse_source_options(const ferry::Context& ctx);

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_SOURCE_OPTIONS_H_
