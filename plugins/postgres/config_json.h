// Typed reads of the plugin's config JSON; every failure is a
// FERRY_ERROR_CONFIG naming the option.
#ifndef FERRY_PLUGINS_POSTGRES_CONFIG_JSON_H_
#define FERRY_PLUGINS_POSTGRES_CONFIG_JSON_H_

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ferry_pg {

class ConfigReader {
 public:
  // `who` prefixes messages ("postgres source").
  ConfigReader(std::string who, std::string_view config_json);

  const boost::json::object& object() const { return root_; }
  [[noreturn]] void fail(const std::string& message) const;

  std::string string(std::string_view name, const boost::json::value& v) const;
  bool boolean(std::string_view name, const boost::json::value& v) const;
  int64_t integer(std::string_view name, const boost::json::value& v, int64_t min,
                  int64_t max) const;
  // Non-empty array of distinct non-empty strings.
  std::vector<std::string> names(std::string_view name, const boost::json::value& v) const;

 private:
  std::string who_;
  boost::json::object root_;
};

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_CONFIG_JSON_H_
