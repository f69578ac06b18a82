#include "options.h"

namespace ferry_failure_stats {

Options parse_options(const ferry::Context& ctx) {
  Options opts;
  ferry_sql_hooks::read_hook_options(ferry::support::OptionReader(ctx, "failure-stats"), opts);
  return opts;
}

}  // namespace ferry_failure_stats
