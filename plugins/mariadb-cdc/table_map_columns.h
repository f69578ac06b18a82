// How the columns of a binlog table map read: each is looked up in the
// table's catalog by name, for what the map does not say (text or bytes,
// the SQL type), and must still hold the map's binlog type and collation.
// The map may describe the table as it was before later DDL (the stream is
// behind), so a column the catalog no longer holds the same way stops the
// run instead of being read as something it was not written as.
#ifndef FERRY_PLUGINS_MARIADB_CDC_TABLE_MAP_COLUMNS_H_
#define FERRY_PLUGINS_MARIADB_CDC_TABLE_MAP_COLUMNS_H_

#include <vector>

#include "column_kind.h"
#include "options.h"
#include "row_image.h"
#include "source_table.h"

namespace ferry_maria_cdc {

// The catalog's columns in the map's order, read with the map's
// signedness. When `table` (the cached catalog) has no match, it is read
// again from the server once. Throws ferry::Error (FERRY_ERROR_IO) naming
// the column and what the binlog holds when no match remains.
std::vector<ColumnKind> catalog_columns_of(const std::vector<MappedColumn>& mapped, SourceTable& table,
                                           const Options& opts);

}  // namespace ferry_maria_cdc

#endif  // FERRY_PLUGINS_MARIADB_CDC_TABLE_MAP_COLUMNS_H_
