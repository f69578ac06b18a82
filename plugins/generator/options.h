// Options of the generator source, from the typed options the host checked.
#ifndef FERRY_PLUGINS_GENERATOR_OPTIONS_H_
#define FERRY_PLUGINS_GENERATOR_OPTIONS_H_

#include <cstdint>

namespace ferry {
class Context;
}

namespace ferry_generator {

struct Options {
  uint64_t count = 1000000;  // rows over all partitions
  uint64_t partitions = 1;   // "p0".."p<n-1>", rows split evenly
  uint64_t fields = 4;       // id, then name / amount / ts cycling
  int64_t seed = 0;          // 0 keeps the documented values
  bool key = true;           // record key = id as text
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the offending option.
Options parse_options(const ferry::Context& ctx);

}  // namespace ferry_generator

#endif  // FERRY_PLUGINS_GENERATOR_OPTIONS_H_
