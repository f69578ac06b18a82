// The captured table as the catalog describes it: its columns in order,
// their types, and its primary key, by which changes are applied.
#ifndef FERRY_PLUGINS_POSTGRES_CDC_SOURCE_TABLE_H_
#define FERRY_PLUGINS_POSTGRES_CDC_SOURCE_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "pg_link.h"

namespace ferry_pg_cdc {

struct TableColumn {
  std::string name;
  uint32_t type_oid = 0;
  std::string type_sql;  // format_type(): what a bound key value is cast to
};

struct SourceTable {
  uint32_t oid = 0;
  std::string schema, name;
  std::string quoted;               // "schema"."name"
  char replica_identity = 'd';
  std::vector<TableColumn> columns;
  std::vector<std::string> key;     // primary key columns, in key order
};

// Throws ferry::Error: FERRY_ERROR_CONFIG for a missing table or one without
// a primary key (changes are applied by key).
SourceTable read_source_table(PgLink& link, const std::string& table);

}  // namespace ferry_pg_cdc

#endif  // FERRY_PLUGINS_POSTGRES_CDC_SOURCE_TABLE_H_
