#include "connection_options.h"

namespace ferry_mysql {

ConnectionOptions read_connection_options(const ferry::support::OptionReader& in) {
  ConnectionOptions o;
  o.host = in.string("host", o.host);
  o.port = static_cast<int>(in.integer("port", o.port, 1, 65535));
  o.socket = in.string("socket");
  o.user = in.string("user");
  o.password = in.string("password");
  o.database = in.string("database");
  if (o.host.empty() && o.socket.empty()) in.fail("option 'host' or 'socket' is required");
  if (o.user.empty()) in.fail("option 'user' is required");
  if (o.database.empty()) in.fail("option 'database' is required");
  return o;
}

}  // namespace ferry_mysql
