#include "table_map_columns.h"

#include <algorithm>
#include <ferry/plugin.hpp>
#include <optional>
#include <string>

namespace ferry_maria_cdc {
namespace {

[[noreturn]] void fail(const std::string& message) {
  throw ferry::Error(FERRY_ERROR_IO, "mariadb-cdc source: " + message);
}

// "character set latin1 (collation 8)".
std::string written_charset(const SourceTable& t, uint32_t collation) {
  const auto found = t.charset_of_collation.find(collation);
  return "character set " + (found == t.charset_of_collation.end() ? std::string("unknown") : found->second) +
         " (collation " + std::to_string(collation) + ")";
}

std::string column_names(const std::vector<ColumnKind>& columns) {
  std::string out;
  for (const ColumnKind& c : columns) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

}  // namespace

std::vector<ColumnKind> catalog_columns_of(const std::vector<MappedColumn>& mapped, SourceTable& table,
                                           const Options& opts) {
  const auto kinds_of = [&](const std::vector<ColumnKind>& catalog) -> std::optional<std::vector<ColumnKind>> {
    std::vector<ColumnKind> kinds;
    for (const MappedColumn& m : mapped) {
      const auto found = std::find_if(catalog.begin(), catalog.end(), [&](const ColumnKind& k) {
        return k.name == m.name && binlog_type_holds(k.kind, m, table.utf8_collations);
      });
      if (found == catalog.end()) return std::nullopt;
      ColumnKind k = *found;
      // Integers read with the map's signedness: the catalog's may be newer.
      if (k.kind == Kind::kInt || k.kind == Kind::kUInt64) {
        k.is_unsigned = m.is_unsigned;
        k.kind = m.type == MYSQL_TYPE_LONGLONG && m.is_unsigned ? Kind::kUInt64 : Kind::kInt;
      }
      kinds.push_back(std::move(k));
    }
    return kinds;
  };
  auto kinds = kinds_of(table.columns);
  if (!kinds) {
    MariaLink catalog(opts);
    table = read_source_table(catalog, opts.database, opts.table);
    kinds = kinds_of(table.columns);
  }
  if (!kinds) {
    // A column converted to another character set keeps its name and
    // type: say which, and what the binlog holds.
    for (const MappedColumn& m : mapped)
      for (const ColumnKind& k : table.columns)
        if (k.name == m.name && (k.kind == Kind::kText || k.kind == Kind::kBytes) && m.collation != 0 &&
            !binlog_type_holds(k.kind, m, table.utf8_collations))
          fail("column '" + m.name + "' of " + table.quoted + " was written to the binlog in " +
               written_charset(table, m.collation) + ", and the table now holds it as " + k.sql_type +
               (k.kind == Kind::kText ? " text in UTF-8" : " bytes") +
               ": the bytes of these changes are not read as another character set; reset "
               "the pipeline's checkpoints to copy the table again");
    std::string names;
    for (const MappedColumn& m : mapped) names += (names.empty() ? "" : ", ") + m.name;
    fail("the binlog describes " + table.quoted + " with columns (" + names + ") but the table now has (" +
         column_names(table.columns) +
         "): a column was dropped, renamed or changed its type since, so these changes "
         "cannot be read exactly; reset the pipeline's checkpoints to copy the table again");
  }
  return std::move(*kinds);
}

}  // namespace ferry_maria_cdc
