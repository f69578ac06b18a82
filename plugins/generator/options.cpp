#include "options.h"

#include <options/option_reader.h>

namespace ferry_generator {

Options parse_options(const ferry::Context& ctx) {
  const ferry::support::OptionReader in(ctx, "generator");
  Options opts;
  opts.count = static_cast<uint64_t>(in.integer("count", static_cast<int64_t>(opts.count), 0, INT64_MAX));
  opts.partitions = static_cast<uint64_t>(in.integer("partitions", static_cast<int64_t>(opts.partitions), 1, 1000000));
  opts.fields = static_cast<uint64_t>(in.integer("fields", static_cast<int64_t>(opts.fields), 1, 1000));
  opts.seed = in.integer("seed", opts.seed, INT64_MIN, INT64_MAX);
  opts.key = in.boolean("key", opts.key);
  return opts;
}

}  // namespace ferry_generator
