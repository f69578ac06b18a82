#include "sink_options.h"

#include <options/option_reader.h>

namespace ferry_pg {
namespace {

TableName table_option(const ferry::support::OptionReader& in, const char* name, TableName fallback) {
  if (!in.has(name)) return fallback;
  const std::string text = in.text(name);
  std::optional<TableName> t = parse_table_name(text);
  if (!t) in.fail("option '" + std::string(name) + "' is not a table name: " + text);
  return *t;
}

}  // namespace

SinkOptions parse_sink_options(const ferry::Context& ctx) {
  const ferry::support::OptionReader in(ctx, "postgres sink");
  SinkOptions o;
  o.dsn = in.text("dsn");
  o.table = table_option(in, "table", o.table);
  o.checkpoint_table = table_option(in, "checkpoint_table", o.checkpoint_table);
  o.mode = in.choice("mode", {{"append", WriteMode::kAppend}, {"upsert", WriteMode::kUpsert}}, o.mode);
  o.key = in.names("key");
  if (in.has("key") && o.key.empty()) in.fail("option 'key' must be a non-empty array of column names");
  o.copy_format = in.choice("copy_format", {{"auto", CopyFormat::kAuto}, {"text", CopyFormat::kText}}, o.copy_format);
  o.create_table = in.boolean("create_table", o.create_table);
  o.contract = ferry::support::read_schema_contract(in, o.create_table);
  if (o.mode == WriteMode::kUpsert && o.key.empty())
    in.fail("mode \"upsert\" needs option 'key' (the columns to match rows on)");
  return o;
}

}  // namespace ferry_pg
