// Options of the mariadb-cdc source.
#ifndef FERRY_PLUGINS_MARIADB_CDC_OPTIONS_H_
#define FERRY_PLUGINS_MARIADB_CDC_OPTIONS_H_

#include <cstdint>
#include <string>

namespace ferry {
class Context;
}

namespace ferry_maria_cdc {

struct Options {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string socket;    // wins over host and port when set
  std::string user;
  std::string password;  // secret: never in a message
  std::string database;
  std::string table;
  uint32_t server_id = 0;  // this reader's id among the server's replicas
  bool follow = true;      // false: end once caught up with the binlog as it was at start
  int64_t idle_ms = 500;   // longest wait for a change before the host hears back

  // "user@host:port" for messages; never the password.
  std::string describe() const;
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the option.
Options parse_options(const ferry::Context& ctx);

}  // namespace ferry_maria_cdc

#endif  // FERRY_PLUGINS_MARIADB_CDC_OPTIONS_H_
