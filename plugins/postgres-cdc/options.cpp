#include "options.h"

#include <options/option_reader.h>

namespace ferry_pg_cdc {

Options parse_options(const ferry::Context& ctx) {
  const ferry::support::OptionReader in(ctx, "postgres-cdc source");
  Options o;
  o.dsn = in.text("dsn");
  o.table = in.text("table");
  o.slot = in.text("slot");
  // PostgreSQL's own rule for slot names; checked here so the message says
  // which option is wrong.
  if (o.slot.size() > 63 || o.slot.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
    in.fail("option 'slot': '" + o.slot + "' may hold only a-z, 0-9 and _ (at most 63 characters)");
  o.publication = in.text("publication");
  o.follow = in.boolean("follow", o.follow);
  o.idle_ms = in.integer("idle_ms", o.idle_ms, 10, 60000);
  return o;
}

}  // namespace ferry_pg_cdc
