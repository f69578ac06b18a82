#include "source_options.h"

namespace ferry_mysql {

SourceOptions parse_source_options(std::string_view config_json) {
  ConfigReader config(config_json, "mysql source");
  std::vector<std::string_view> known = connection_option_names();
  known.insert(known.end(), {"table", "query", "cursor", "partitions", "partition_column", "min",
                             "max", "incremental"});
  config.only(known);

  SourceOptions o;
  o.connection = read_connection_options(config);
  o.table = config.string("table");
  o.query = config.string("query");
  if (o.table.empty() == o.query.empty()) config.fail("give exactly one of 'table' and 'query'");
  o.cursor = config.names("cursor");
  if (o.cursor.size() > 2) config.fail("option 'cursor' takes one or two columns");
  if (!o.query.empty() && o.cursor.empty())
    config.fail("option 'cursor' is required with 'query' (the columns to page by, in order)");
  o.partitions = config.integer("partitions", 1, 1, 4096);
  o.partition_column = config.string("partition_column");
  if (o.partitions > 1 && o.partition_column.empty())
    config.fail("option 'partition_column' is required when 'partitions' is more than 1");
  if (config.has("min")) o.min = config.integer("min", 0, INT64_MIN, INT64_MAX);
  if (config.has("max")) o.max = config.integer("max", 0, INT64_MIN, INT64_MAX);
  if (o.min && o.max && *o.min > *o.max) config.fail("option 'min' is greater than 'max'");
  o.incremental = config.boolean("incremental", true);
  return o;
}

}  // namespace ferry_mysql
