#include "source_options.h"

#include "config_json.h"

namespace ferry_pg {

SourceOptions parse_source_options(std::string_view config_json) {
  ConfigReader in("postgres source", config_json);
  SourceOptions o;
  for (const auto& kv : in.object()) {
    const std::string_view name(kv.key().data(), kv.key().size());
    const boost::json::value& v = kv.value();
    if (name == "dsn") {
      o.dsn = in.string(name, v);
    } else if (name == "table") {
      const std::string text = in.string(name, v);
      o.table = parse_table_name(text);
      if (!o.table) in.fail("option 'table' is not a table name: " + text);
    } else if (name == "query") {
      o.query = in.string(name, v);
    } else if (name == "cursor") {
      o.cursor = in.names(name, v);
      if (o.cursor.size() > 2) in.fail("option 'cursor' takes one or two columns");
    } else if (name == "key") {
      o.key = in.names(name, v);
    } else if (name == "partitions") {
      o.partitions = in.integer(name, v, 1, 1024);
    } else if (name == "partition_column") {
      o.partition_column = in.string(name, v);
    } else if (name == "min") {
      o.min = in.integer(name, v, INT64_MIN, INT64_MAX);
    } else if (name == "max") {
      o.max = in.integer(name, v, INT64_MIN, INT64_MAX);
    } else if (name == "incremental") {
      o.incremental = in.boolean(name, v);
    } else {
      in.fail("unknown option '" + std::string(name) + "'");
    }
  }
  if (o.dsn.empty()) in.fail("option 'dsn' is required");
  if (o.table.has_value() == !o.query.empty())
    in.fail("set exactly one of options 'table' and 'query'");
  if (o.cursor.empty())
    in.fail("option 'cursor' is required: one or two columns that order the rows uniquely");
  if (o.key.empty()) o.key = o.cursor;
  if (o.partitions > 1 && o.partition_column.empty())
    in.fail("option 'partitions' > 1 needs 'partition_column' (an integer column)");
  if (o.min && o.max && *o.min > *o.max) in.fail("option 'min' is greater than 'max'");
  return o;
}

}  // namespace ferry_pg
