// The rows of a binlog rows event, decoded from the row images the server
// wrote, each value as the text a SELECT prints in a UTC session.
//
// MariaDB Connector/C 3.3 reads the events (mariadb_rpl_fetch parses the
// table map and the rows event's header and bitmaps), but its value decoder
// (mariadb_rpl_extract_rows) misreads CHAR, BINARY, TIMESTAMP and TIME
// values and refuses a table whose columns carry no metadata (all
// integers, say). The values are therefore read here, following the
// server's row format (sql/log_event.cc, Field::pack, my_time.c).
#ifndef FERRY_PLUGINS_MARIADB_CDC_ROW_IMAGE_H_
#define FERRY_PLUGINS_MARIADB_CDC_ROW_IMAGE_H_

#include <mysql.h>
#include <mariadb_rpl.h>

#include <set>
#include <string>
#include <vector>

#include "column_kind.h"
#include "maria_link.h"

namespace ferry_maria_cdc {

// A table map's columns: names (binlog_row_metadata=FULL), binlog types
// and per-column metadata.
struct MappedColumn {
  std::string name;
  uint8_t type = 0;
  uint16_t meta = 0;
  bool is_unsigned = false;  // numeric types: as the map says
  // Character and binary string columns: the collation their values were
  // written in (63 is binary). 0 for other types.
  uint32_t collation = 0;
};
constexpr uint32_t kBinaryCollation = 63;
// Throws ferry::Error (FERRY_ERROR_CONFIG) for a map without column names
// or without the collations of its string columns (binlog_row_metadata is
// not FULL), (FERRY_ERROR_IO) for one that does not parse.
std::vector<MappedColumn> mapped_columns(const MARIADB_RPL_EVENT& table_map);
// Whether decode_rows reads values of binlog type `type`.
bool readable_binlog_type(uint8_t type);
// Whether a mapped column holds values of `kind` (the catalog read when
// the table map changed must describe the table the map describes): its
// binlog type, and for strings the collation the values were written in:
// text in one of `utf8_collations` (UTF-8 and ASCII), bytes in binary.
bool binlog_type_holds(Kind kind, const MappedColumn& column, const std::set<uint32_t>& utf8_collations);

// The images of `rows`, in order: for an update, the row before and after
// each change; `kinds` is the table's columns in table map order.
// Throws ferry::Error (FERRY_ERROR_IO) for an image that does not parse, or
// (FERRY_ERROR_CONFIG) for one that leaves a column out (binlog_row_image
// is not FULL).
std::vector<Row> decode_rows(const std::vector<MappedColumn>& columns, const std::vector<ColumnKind>& kinds,
                             const MARIADB_RPL_EVENT& rows);

}  // namespace ferry_maria_cdc

#endif  // FERRY_PLUGINS_MARIADB_CDC_ROW_IMAGE_H_
