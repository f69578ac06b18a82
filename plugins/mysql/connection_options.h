// Where and as whom to connect; shared by the source and the sink.
#ifndef FERRY_PLUGINS_MYSQL_CONNECTION_OPTIONS_H_
#define FERRY_PLUGINS_MYSQL_CONNECTION_OPTIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "json_options.h"

namespace ferry_mysql {

struct ConnectionOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string socket;  // a Unix socket path; wins over host/port when set
  std::string user;
  std::string password;  // secret: never in a message (see redact())
  std::string database;

  // "user@host:port/database" for messages; never the password.
  std::string describe() const;
  // `text` with every occurrence of the password replaced by ***.
  std::string redact(std::string text) const;
};

// The option names read by read_connection_options, for ConfigReader::only.
const std::vector<std::string_view>& connection_option_names();
ConnectionOptions read_connection_options(const ConfigReader& config);

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_CONNECTION_OPTIONS_H_
