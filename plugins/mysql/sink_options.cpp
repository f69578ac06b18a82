#include "sink_options.h"

namespace ferry_mysql {

SinkOptions parse_sink_options(const ferry::Context& ctx) {
  const ferry::support::OptionReader in(ctx, "mysql sink");
  SinkOptions o;
  o.connection = read_connection_options(in);
  o.table = in.string("table");
  if (o.table.empty()) in.fail("option 'table' is required");
  o.mode = in.choice("mode", {{"append", WriteMode::kAppend}, {"upsert", WriteMode::kUpsert}}, WriteMode::kAppend);
  o.key = in.names("key");
  o.create_table = in.boolean("create_table", true);
  o.checkpoint_table = in.string("checkpoint_table", o.checkpoint_table);
  if (o.checkpoint_table.empty()) in.fail("option 'checkpoint_table' must not be empty");
  if (o.checkpoint_table == o.table) in.fail("options 'table' and 'checkpoint_table' name the same table");
  o.rows_per_statement = in.integer("rows_per_statement", 1000, 1, 65535);
  o.load_data = in.boolean("load_data", true);
  o.contract = ferry::support::read_schema_contract(in, o.create_table);
  return o;
}

}  // namespace ferry_mysql
