#include "sink_options.h"

namespace ferry_mysql {

SinkOptions parse_sink_options(std::string_view config_json) {
  ConfigReader config(config_json, "mysql sink");
  std::vector<std::string_view> known = connection_option_names();
  known.insert(known.end(),
               {"table", "mode", "key", "create_table", "checkpoint_table", "rows_per_statement",
                "columns", "schema_changes"});
  config.only(known);

  SinkOptions o;
  o.connection = read_connection_options(config);
  o.table = config.string("table");
  if (o.table.empty()) config.fail("option 'table' is required");
  const std::string mode = config.string("mode", "append");
  if (mode == "append") {
    o.mode = WriteMode::kAppend;
  } else if (mode == "upsert") {
    o.mode = WriteMode::kUpsert;
  } else {
    config.fail("option 'mode' must be \"append\" or \"upsert\", got \"" + mode + "\"");
  }
  o.key = config.names("key");
  o.create_table = config.boolean("create_table", true);
  o.checkpoint_table = config.string("checkpoint_table", o.checkpoint_table);
  if (o.checkpoint_table.empty()) config.fail("option 'checkpoint_table' must not be empty");
  if (o.checkpoint_table == o.table)
    config.fail("options 'table' and 'checkpoint_table' name the same table");
  o.rows_per_statement = config.integer("rows_per_statement", 1000, 1, 65535);
  o.contract = ferry::support::read_schema_contract(config.object(), o.create_table, "mysql sink");
  return o;
}

}  // namespace ferry_mysql
