// The SQL hooks' statements in each driver's dialect, from one description:
// tables, inserts that skip repeats, and upserts that add to counters.
// Every identifier is quoted; every value is a parameter.
#ifndef FERRY_PLUGINS_SQL_HOOK_COMMON_HOOK_SQL_H_
#define FERRY_PLUGINS_SQL_HOOK_COMMON_HOOK_SQL_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hook_db.h"

namespace ferry_sql_hooks {

std::string quote(Dialect d, std::string_view identifier);

// What a column holds; each dialect names its type. A key names text a
// MySQL key can hold whole (VARCHAR, compared byte for byte).
enum class ColumnType {
  kId,        // the row id: an integer the database assigns, the primary key
  kKeyName,   // pipeline and sink names: VARCHAR(255) in MySQL
  kKeyClass,  // error classes: VARCHAR(64) in MySQL
  kText,
  kBytes,
  kInt64,
};

struct Column {
  const char* name;
  ColumnType type;
  bool nullable = false;
};

struct Table {
  std::string name;
  std::vector<Column> columns;
  std::vector<const char*> primary_key;  // empty with a kId column
  // More column and key definitions, already in the dialect (MySQL's
  // generated digest columns and their unique keys).
  std::vector<std::string> more = {};
};

std::string create_table_sql(Dialect d, const Table& t);

// INSERT of `rows` rows of `columns` that skips a row when a unique key
// already holds it (within the statement too); `id` is the table's id
// column, which MySQL's no-op update names.
Sql insert_new_rows_sql(Dialect d, const std::string& table, const std::vector<const char*>& columns,
                        size_t rows, const char* id);

// How an upsert merges a bound value into the row that is already there.
enum class Merge {
  kAdd,      // counters
  kMax,      // times: the newest stays if clocks step back
  kReplace,  // the latest message
};
struct Update {
  const char* column;
  Merge merge;
};

// INSERT of one row of `columns` that, when a row with its `key` exists,
// updates `updates` instead.
Sql upsert_sql(Dialect d, const std::string& table, const std::vector<const char*>& columns,
               const std::vector<const char*>& key, const std::vector<Update>& updates);

}  // namespace ferry_sql_hooks

#endif  // FERRY_PLUGINS_SQL_HOOK_COMMON_HOOK_SQL_H_
