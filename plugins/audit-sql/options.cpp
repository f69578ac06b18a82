#include "options.h"

namespace ferry_audit_sql {

Options parse_options(const ferry::Context& ctx) {
  const ferry::support::OptionReader in(ctx, "audit-sql");
  Options opts;
  ferry_sql_hooks::read_hook_options(in, opts);
  opts.granularity =
      in.choice("granularity", {{"batch", Granularity::kBatch}, {"record", Granularity::kRecord}}, opts.granularity);
  return opts;
}

}  // namespace ferry_audit_sql
