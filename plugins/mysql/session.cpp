#include "session.h"

namespace ferry_mysql {
namespace {

ferry::support::mysql::SessionOptions plugin_session(ConnectionOptions endpoint, std::string component, bool local_infile) {
  ferry::support::mysql::SessionOptions o;
  o.label = std::move(component);
  o.endpoint = std::move(endpoint);
  o.local_infile = local_infile;
  o.setup = {
      "SET time_zone = '+00:00'",
      // NO_AUTO_VALUE_ON_ZERO: a copied 0 in an AUTO_INCREMENT column stays 0.
      // NO_ZERO_DATE, NO_ZERO_IN_DATE: "0000-00-00" and "2012-00-00" name no
      // day; refused rather than stored (MySQL 8's default does the same).
      "SET sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,"
      "NO_AUTO_VALUE_ON_ZERO,NO_ZERO_DATE,NO_ZERO_IN_DATE'",
  };
  return o;
}

}  // namespace

Session::Session(ConnectionOptions options, std::string component, bool local_infile)
    : ferry::support::mysql::Session(plugin_session(std::move(options), std::move(component), local_infile)) {}

}  // namespace ferry_mysql
