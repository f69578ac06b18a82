#include "options.h"

#include <options/option_reader.h>

namespace ferry_maria_cdc {

Options parse_options(const ferry::Context& ctx) {
  const ferry::support::OptionReader in(ctx, "mariadb-cdc source");
  Options o;
  o.host = in.text("host", o.host);
  o.port = static_cast<int>(in.integer("port", o.port, 1, 65535));
  o.socket = in.text("socket");
  o.user = in.text("user");
  o.password = in.string("password");
  o.database = in.text("database");
  o.table = in.text("table");
  o.server_id = static_cast<uint32_t>(in.integer("server_id", 0, 1, 4294967295LL));
  o.follow = in.boolean("follow", o.follow);
  o.idle_ms = in.integer("idle_ms", o.idle_ms, 10, 60000);
  return o;
}

std::string Options::describe() const {
  return user + "@" + (socket.empty() ? host + ":" + std::to_string(port) : socket);
}

}  // namespace ferry_maria_cdc
