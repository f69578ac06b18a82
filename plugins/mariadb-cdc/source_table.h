// The captured table as information_schema describes it: its columns in
// order, how each reads, and its primary key, by which changes are applied.
#ifndef FERRY_PLUGINS_MARIADB_CDC_SOURCE_TABLE_H_
#define FERRY_PLUGINS_MARIADB_CDC_SOURCE_TABLE_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "column_kind.h"
#include "maria_link.h"

namespace ferry_maria_cdc {

struct SourceTable {
  std::string database, name;
  std::string quoted;               // `database`.`name`
  std::vector<ColumnKind> columns;
  std::vector<std::string> key;     // primary key columns, in key order
  // The server's collations by id, with their character sets: the binlog
  // names a string column's collation by id.
  std::map<uint32_t, std::string> charset_of_collation;
  std::set<uint32_t> utf8_collations;  // of utf8mb4, utf8mb3 and ascii
};

// Throws ferry::Error (FERRY_ERROR_CONFIG) for a missing table, one without
// a primary key, and a column whose values the source cannot read the same
// from the copy and from the binlog (its type or character set).
SourceTable read_source_table(MariaLink& link, const std::string& database, const std::string& table);

}  // namespace ferry_maria_cdc

#endif  // FERRY_PLUGINS_MARIADB_CDC_SOURCE_TABLE_H_
