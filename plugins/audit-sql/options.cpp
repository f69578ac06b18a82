#include "options.h"

#include <ferry/plugin.hpp>

namespace ferry_audit_sql {

Options parse_options(const ferry::Context& ctx) {
  constexpr std::string_view kHook = "audit-sql";
  Options opts;
  ferry_sql_hooks::read_hook_options(kHook, ctx, opts);
  const std::string g = ferry_sql_hooks::read_string_option(kHook, ctx, "granularity", "batch");
  if (g == "batch") {
    opts.granularity = Granularity::kBatch;
  } else if (g == "record") {
    opts.granularity = Granularity::kRecord;
  } else {
    ferry_sql_hooks::fail_option(kHook, "option 'granularity' must be \"batch\" or \"record\", got \"" + g + "\"");
  }
  return opts;
}

}  // namespace ferry_audit_sql
