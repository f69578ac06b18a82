// The SQL the source pages with: keyset order on the cursor columns, never
// OFFSET, so every page costs one index range scan however deep the table.
//
//   SELECT <columns> FROM <table or (query)>
//   WHERE <partition bounds> AND <cursor > last>
//   ORDER BY <cursor> LIMIT <n>
#ifndef FERRY_PLUGINS_MYSQL_SOURCE_QUERY_H_
#define FERRY_PLUGINS_MYSQL_SOURCE_QUERY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "column_types.h"

namespace ferry_mysql {

// [lo, hi) of the partition column; an absent side is open. The first
// partition also takes rows whose partition column is NULL.
struct PartitionBounds {
  std::optional<int64_t> lo;
  std::optional<int64_t> hi;
  bool with_nulls = false;
};

// Bounds of partition `index` of `count` over [min, max].
PartitionBounds partition_bounds(int64_t min, int64_t max, int64_t count, int64_t index);

class SourceQuery {
 public:
  // `from` is "<quoted table> AS ferry_src" or "(<query>) AS ferry_src".
  SourceQuery(std::string from, std::vector<SourceColumn> columns, std::vector<size_t> cursor,
              std::string partition_column);

  // Parameters, in order: the bounds that are set, then (if `after_cursor`)
  // the cursor values as cursor_params() lists them.
  std::string page_sql(const PartitionBounds& bounds, bool after_cursor, uint64_t limit) const;
  // Which cursor value goes to each cursor parameter: (a > ? OR (a = ? AND b > ?)).
  std::vector<size_t> cursor_params() const;
  // How many rows of the partition (0, 1 or 2, "more than one") have the
  // cursor equal to the parameters, compared as the server compares (a
  // case-insensitive collation makes 'a' and 'A' one value). Parameters:
  // the bounds that are set, then each cursor value once, in order.
  std::string ties_sql(const PartitionBounds& bounds) const;
  std::string min_max_sql() const;

  const std::vector<SourceColumn>& columns() const { return columns_; }
  const std::vector<size_t>& cursor() const { return cursor_; }

 private:
  // The partition's conditions; their parameters are the bounds that are set.
  std::vector<std::string> bounds_conditions(const PartitionBounds& bounds) const;

  std::string from_;
  std::vector<SourceColumn> columns_;
  std::vector<size_t> cursor_;  // indexes into columns_
  std::string partition_column_;
  std::string select_list_;
};

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_SOURCE_QUERY_H_
