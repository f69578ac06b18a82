// What a SQL sink may do to its table's columns, as the pipeline says in the
// sink's options:
//
//   "columns":        {"field": "sql type", ...}  types pinned per field
//   "schema_changes": "evolve" | "reject_row" | "freeze"
//
// Both options mean the same in every SQL sink; this reads them once.
#pragma once

#include <ferry/plugin.h>

#include "options/option_reader.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::support {

enum class SchemaChanges {
  kEvolve,     // a new field becomes a new nullable column
  kRejectRow,  // records with a value in a new field go to the DLQ
  kFreeze,     // a batch with a new field is a configuration error
};

// The descriptor entries of these options and of "create_table", which
// decides the default of "schema_changes" (FERRY_PLUGIN_DESCRIPTOR), the
// same in every SQL sink's option list.
inline constexpr FerryOptionSpec kCreateTableOptionSpec = {
    "create_table", FERRY_OPTION_BOOL, 0, "true",
    "Create the table if it does not exist; if false, a missing table is a configuration error at open, and "
    "schema_changes defaults to \"freeze\"."};
inline constexpr FerryOptionSpec kColumnsOptionSpec = {
    "columns", FERRY_OPTION_OBJECT, 0, nullptr,
    "SQL type per field ({\"n\": \"bigint\"}) for columns the sink creates; without one, a column is created "
    "by the first batch with a non-null value, typed after it."};
// "schema_changes" declares no default: its default depends on
// "create_table", and a declared one would be filled in by the host as if
// the pipeline had given it.
inline constexpr FerryOptionSpec kSchemaChangesOptionSpec = {
    "schema_changes", FERRY_OPTION_STRING, 0, nullptr,
    "A field the table has no column for: \"evolve\" adds the column, \"reject_row\" sends records with a value "
    "in it to the DLQ, \"freeze\" stops with a configuration error. Default: \"evolve\", or \"freeze\" when create_table is false."};

// "evolve", "reject_row" or "freeze"; none for anything else.
std::optional<SchemaChanges> parse_schema_changes(std::string_view text);

// A SQL type given by a pipeline for a column ("bigint", "numeric(12,2)",
// "varchar(80)", "text[]"): letters, digits, underscores and spaces, one
// parenthesised list of numbers, a trailing []. It goes into DDL as text,
// so nothing else is let through.
bool is_plain_sql_type(std::string_view type);

struct SchemaContract {
  std::vector<std::pair<std::string, std::string>> column_types;  // field, SQL type
  SchemaChanges changes = SchemaChanges::kEvolve;
  bool changes_implied = false;  // "freeze" because create_table is false, not written

  // The pinned type of a field; names compare as the target compares them.
  const std::string* type_for(std::string_view field, bool case_insensitive) const;
};

// Reads "columns" and "schema_changes" from a sink's options. Without
// "schema_changes", a sink that may not create its table (create_table:
// false) may not add columns either: "freeze".
SchemaContract read_schema_contract(const OptionReader& options, bool create_table);

// ASCII case folding, as SQLite and MySQL compare column names.
std::string fold_ascii(std::string_view name);

}  // namespace ferry::support
