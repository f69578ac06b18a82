#include "options.h"

#include <options/option_reader.h>

namespace ferry_sqlite {

Options parse_options(const ferry::Context& ctx) {
  const ferry::support::OptionReader in(ctx, "sqlite sink");
  Options opts;
  opts.path = in.text("path");
  opts.table = in.text("table");
  opts.mode = in.choice("mode", {{"append", WriteMode::kAppend}, {"upsert", WriteMode::kUpsert}}, opts.mode);
  opts.key = in.names("key");
  opts.create_table = in.boolean("create_table", opts.create_table);
  opts.synchronous =
      in.choice("synchronous", {{"full", Synchronous::kFull}, {"normal", Synchronous::kNormal}}, opts.synchronous);
  opts.busy_timeout_ms = static_cast<int>(in.integer("busy_timeout_ms", opts.busy_timeout_ms, 0, 3600000));
  opts.contract = ferry::support::read_schema_contract(in, opts.create_table);
  if (opts.mode == WriteMode::kUpsert && opts.key.empty())
    in.fail("mode \"upsert\" needs option 'key' (the columns to match rows on)");
  return opts;
}

}  // namespace ferry_sqlite
