// Where and as whom to connect; shared by the source and the sink.
#ifndef FERRY_PLUGINS_MYSQL_CONNECTION_OPTIONS_H_
#define FERRY_PLUGINS_MYSQL_CONNECTION_OPTIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "json_options.h"
#include "mysql/mysql_session.h"

namespace ferry_mysql {

// Where and as whom to connect (describe() and redact() for messages).
using ConnectionOptions = ferry::support::mysql::Endpoint;

// The option names read by read_connection_options, for ConfigReader::only.
const std::vector<std::string_view>& connection_option_names();
ConnectionOptions read_connection_options(const ConfigReader& config);

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_CONNECTION_OPTIONS_H_
