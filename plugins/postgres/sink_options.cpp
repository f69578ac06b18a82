#include "sink_options.h"

#include "config_json.h"

namespace ferry_pg {

SinkOptions parse_sink_options(std::string_view config_json) {
  ConfigReader in("postgres sink", config_json);
  SinkOptions o;
  bool have_table = false;
  for (const auto& kv : in.object()) {
    const std::string_view name(kv.key().data(), kv.key().size());
    const boost::json::value& v = kv.value();
    if (name == "dsn") {
      o.dsn = in.string(name, v);
    } else if (name == "table" || name == "checkpoint_table") {
      const std::string text = in.string(name, v);
      std::optional<TableName> t = parse_table_name(text);
      if (!t) in.fail("option '" + std::string(name) + "' is not a table name: " + text);
      (name == "table" ? o.table : o.checkpoint_table) = *t;
      have_table = have_table || name == "table";
    } else if (name == "mode") {
      const std::string mode = in.string(name, v);
      if (mode == "append") o.mode = WriteMode::kAppend;
      else if (mode == "upsert") o.mode = WriteMode::kUpsert;
      else in.fail("option 'mode' must be \"append\" or \"upsert\", got \"" + mode + "\"");
    } else if (name == "key") {
      o.key = in.names(name, v);
    } else if (name == "copy_format") {
      const std::string format = in.string(name, v);
      if (format == "auto") o.copy_format = CopyFormat::kAuto;
      else if (format == "text") o.copy_format = CopyFormat::kText;
      else in.fail("option 'copy_format' must be \"auto\" or \"text\", got \"" + format + "\"");
    } else if (name == "create_table") {
      o.create_table = in.boolean(name, v);
    } else if (!ferry::support::is_schema_contract_option(name)) {
      in.fail("unknown option '" + std::string(name) + "'");
    }
  }
  o.contract = ferry::support::read_schema_contract(in.object(), o.create_table, "postgres sink");
  if (o.dsn.empty()) in.fail("option 'dsn' is required");
  if (!have_table) in.fail("option 'table' is required");
  if (o.mode == WriteMode::kUpsert && o.key.empty())
    in.fail("mode \"upsert\" needs option 'key' (the columns to match rows on)");
  return o;
}

}  // namespace ferry_pg
