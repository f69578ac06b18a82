#include "source_options.h"

#include <options/option_reader.h>

namespace ferry_pg {

SourceOptions parse_source_options(const ferry::Context& ctx) {
  const ferry::support::OptionReader in(ctx, "postgres source");
  SourceOptions o;
  o.dsn = in.text("dsn");
  if (in.has("table")) {
    const std::string text = in.text("table");
    o.table = parse_table_name(text);
    if (!o.table) in.fail("option 'table' is not a table name: " + text);
  }
  o.query = in.text("query");
  o.cursor = in.names("cursor");
  if (o.cursor.size() > 2) in.fail("option 'cursor' takes one or two columns");
  o.key = in.names("key");
  if (in.has("key") && o.key.empty()) in.fail("option 'key' must be a non-empty array of column names");
  o.partitions = in.integer("partitions", o.partitions, 1, 1024);
  o.partition_column = in.text("partition_column");
  o.min = in.optional_integer("min", INT64_MIN, INT64_MAX);
  o.max = in.optional_integer("max", INT64_MIN, INT64_MAX);
  o.incremental = in.boolean("incremental", o.incremental);
  if (o.table.has_value() == !o.query.empty()) in.fail("set exactly one of options 'table' and 'query'");
  if (o.cursor.empty()) in.fail("option 'cursor' is required: one or two columns that order the rows uniquely");
  if (o.key.empty()) o.key = o.cursor;
  if (o.partitions > 1 && o.partition_column.empty())
    in.fail("option 'partitions' > 1 needs 'partition_column' (an integer column)");
  if (o.min && o.max && *o.min > *o.max) in.fail("option 'min' is greater than 'max'");
  return o;
}

}  // namespace ferry_pg
