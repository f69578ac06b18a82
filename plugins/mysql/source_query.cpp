#include "source_query.h"

#include "identifiers.h"

namespace ferry_mysql {
namespace {

// Qualified, so ORDER BY means the column and not a select-list alias of
// the same name (a DECIMAL is selected as CHAR under its own name).
std::string column_ref(const std::string& name) { return "ferry_src." + quote_ident(name); }

}  // namespace

PartitionBounds partition_bounds(int64_t min, int64_t max, int64_t count, int64_t index) {
  // 128-bit: max - min + 1 overflows int64 for the full range.
  const __int128 span = static_cast<__int128>(max) - min + 1;
  auto boundary = [&](int64_t i) {
    return static_cast<int64_t>(static_cast<__int128>(min) + span * i / count);
  };
  PartitionBounds b;
  // The outer partitions are open-ended, so rows outside [min, max] (added
  // since the bounds were read) still belong to exactly one partition.
  if (index > 0) b.lo = boundary(index);
  if (index + 1 < count) b.hi = boundary(index + 1);
  b.with_nulls = index == 0;
  return b;
}

SourceQuery::SourceQuery(std::string from, std::vector<SourceColumn> columns,
                         std::vector<size_t> cursor, std::string partition_column)
    : from_(std::move(from)),
      columns_(std::move(columns)),
      cursor_(std::move(cursor)),
      partition_column_(std::move(partition_column)) {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0) select_list_ += ", ";
    const std::string col = quote_ident(columns_[i].name);
    // Connector/C++ 1.1 cuts long DECIMALs read over the binary protocol,
    // drops TIME's zero fraction and a DATE's leading zeros of the year;
    // the server's text form is exact.
    const ReadAs as = columns_[i].read_as;
    if (as == ReadAs::kDecimal || as == ReadAs::kTime || as == ReadAs::kDate)
      select_list_ += "CAST(" + col + " AS CHAR) AS " + col;
    else
      select_list_ += col;
  }
}

std::vector<size_t> SourceQuery::cursor_params() const {
  if (cursor_.size() == 1) return {0};
  return {0, 0, 1};
}

std::vector<std::string> SourceQuery::bounds_conditions(const PartitionBounds& bounds) const {
  std::vector<std::string> where;
  if (partition_column_.empty()) return where;
  const std::string pc = column_ref(partition_column_);
  if (bounds.lo) where.push_back(pc + " >= ?");
  if (bounds.hi)
    where.push_back(bounds.with_nulls ? "(" + pc + " < ? OR " + pc + " IS NULL)" : pc + " < ?");
  return where;
}

std::string SourceQuery::ties_sql(const PartitionBounds& bounds) const {
  std::vector<std::string> where = bounds_conditions(bounds);
  for (size_t c : cursor_) where.push_back(column_ref(columns_[c].name) + " = ?");
  std::string sql = "SELECT 1 FROM " + from_;
  for (size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  return "SELECT COUNT(*) FROM (" + sql + " LIMIT 2) AS ferry_ties";
}

std::string SourceQuery::page_sql(const PartitionBounds& bounds, bool after_cursor,
                                  uint64_t limit) const {
  std::vector<std::string> where = bounds_conditions(bounds);
  if (after_cursor) {
    const std::string a = column_ref(columns_[cursor_[0]].name);
    if (cursor_.size() == 1) {
      where.push_back(a + " > ?");
    } else {
      // Expanded rather than (a, b) > (?, ?): MariaDB turns this form into
      // an index range, the row comparison it may scan.
      const std::string b = column_ref(columns_[cursor_[1]].name);
      where.push_back("(" + a + " > ? OR (" + a + " = ? AND " + b + " > ?))");
    }
  }
  std::string sql = "SELECT " + select_list_ + " FROM " + from_;
  for (size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  sql += " ORDER BY ";
  for (size_t i = 0; i < cursor_.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += column_ref(columns_[cursor_[i]].name);
  }
  sql += " LIMIT " + std::to_string(limit);
  return sql;
}

std::string SourceQuery::min_max_sql() const {
  const std::string pc = column_ref(partition_column_);
  // CAST: MIN of a BIGINT UNSIGNED must not come back as a DECIMAL we
  // cannot read as an integer.
  return "SELECT CAST(MIN(" + pc + ") AS SIGNED), CAST(MAX(" + pc + ") AS SIGNED) FROM " + from_;
}

}  // namespace ferry_mysql
