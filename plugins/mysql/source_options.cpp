#include "source_options.h"

namespace ferry_mysql {

SourceOptions parse_source_options(const ferry::Context& ctx) {
  const ferry::support::OptionReader in(ctx, "mysql source");
  SourceOptions o;
  o.connection = read_connection_options(in);
  o.table = in.string("table");
  o.query = in.string("query");
  if (o.table.empty() == o.query.empty()) in.fail("give exactly one of 'table' and 'query'");
  o.cursor = in.names("cursor");
  if (o.cursor.size() > 2) in.fail("option 'cursor' takes one or two columns");
  if (!o.query.empty() && o.cursor.empty())
    in.fail("option 'cursor' is required with 'query' (the columns to page by, in order)");
  o.partitions = in.integer("partitions", 1, 1, 4096);
  o.partition_column = in.string("partition_column");
  if (o.partitions > 1 && o.partition_column.empty())
    in.fail("option 'partition_column' is required when 'partitions' is more than 1");
  o.min = in.optional_integer("min", INT64_MIN, INT64_MAX);
  o.max = in.optional_integer("max", INT64_MIN, INT64_MAX);
  if (o.min && o.max && *o.min > *o.max) in.fail("option 'min' is greater than 'max'");
  o.incremental = in.boolean("incremental", true);
  return o;
}

}  // namespace ferry_mysql
