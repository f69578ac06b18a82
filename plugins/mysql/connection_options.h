// Where and as whom to connect; shared by the source and the sink.
#ifndef FERRY_PLUGINS_MYSQL_CONNECTION_OPTIONS_H_
#define FERRY_PLUGINS_MYSQL_CONNECTION_OPTIONS_H_

#include <options/option_reader.h>

#include "mysql/mysql_session.h"

namespace ferry_mysql {

// Where and as whom to connect (describe() and redact() for messages).
using ConnectionOptions = ferry::support::mysql::Endpoint;

ConnectionOptions read_connection_options(const ferry::support::OptionReader& in);

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_CONNECTION_OPTIONS_H_
