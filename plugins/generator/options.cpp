#include "options.h"

#include <ferry/plugin.hpp>
#include <string>

namespace ferry_generator {
namespace {

// The host checked each option's type; what the declaration cannot say
// (its range) is checked here.
int64_t read_int(const ferry::Context& ctx, const char* name, int64_t fallback, int64_t min, int64_t max) {
  const int64_t out = ctx.option_int(name, fallback);
  if (out < min || out > max)
    throw ferry::Error(FERRY_ERROR_CONFIG, "generator: option '" + std::string(name) + "' must be between " +
                                               std::to_string(min) + " and " + std::to_string(max) + ", got " +
                                               std::to_string(out));
  return out;
}

}  // namespace

Options parse_options(const ferry::Context& ctx) {
  ctx.require_typed_options();
  Options opts;
  opts.count = static_cast<uint64_t>(read_int(ctx, "count", static_cast<int64_t>(opts.count), 0, INT64_MAX));
  opts.partitions = static_cast<uint64_t>(read_int(ctx, "partitions", static_cast<int64_t>(opts.partitions), 1, 1000000));
  opts.fields = static_cast<uint64_t>(read_int(ctx, "fields", static_cast<int64_t>(opts.fields), 1, 1000));
  opts.seed = ctx.option_int("seed", opts.seed);
  opts.key = ctx.option_bool("key", opts.key);
  return opts;
}

}  // namespace ferry_generator
