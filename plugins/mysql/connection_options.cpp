#include "connection_options.h"

namespace ferry_mysql {

const std::vector<std::string_view>& connection_option_names() {
  static const std::vector<std::string_view> names = {"host",     "port",     "socket",
                                                      "user",     "password", "database"};
  return names;
}

ConnectionOptions read_connection_options(const ConfigReader& config) {
  ConnectionOptions o;
  o.host = config.string("host", o.host);
  o.port = static_cast<int>(config.integer("port", o.port, 1, 65535));
  o.socket = config.string("socket");
  o.user = config.string("user");
  o.password = config.string("password");
  o.database = config.string("database");
  if (o.host.empty() && o.socket.empty()) config.fail("option 'host' or 'socket' is required");
  if (o.user.empty()) config.fail("option 'user' is required");
  if (o.database.empty()) config.fail("option 'database' is required");
  return o;
}

}  // namespace ferry_mysql
