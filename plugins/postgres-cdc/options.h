// Options of the postgres-cdc source.
#ifndef FERRY_PLUGINS_POSTGRES_CDC_OPTIONS_H_
#define FERRY_PLUGINS_POSTGRES_CDC_OPTIONS_H_

#include <cstdint>
#include <string>

namespace ferry {
class Context;
}

namespace ferry_pg_cdc {

struct Options {
  std::string dsn;
  std::string table;
  std::string slot;
  std::string publication;
  bool follow = true;     // false: end once caught up with the WAL as it was at start
  int64_t idle_ms = 500;  // longest wait for a change before the host hears back
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the option.
Options parse_options(const ferry::Context& ctx);

}  // namespace ferry_pg_cdc

#endif  // FERRY_PLUGINS_POSTGRES_CDC_OPTIONS_H_
