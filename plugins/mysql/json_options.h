// Small helpers to read a plugin's config object with clear messages. The
// host has already checked types against the declared options; these checks
// repeat that for plugins loaded by other hosts and add value rules.
#ifndef FERRY_PLUGINS_MYSQL_JSON_OPTIONS_H_
#define FERRY_PLUGINS_MYSQL_JSON_OPTIONS_H_

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ferry_mysql {

class ConfigReader {
 public:
  // `component` prefixes every message ("mysql sink").
  ConfigReader(std::string_view config_json, std::string component);

  const boost::json::object& object() const { return root_; }
  bool has(std::string_view name) const;
  std::string string(std::string_view name, std::string_view fallback = {}) const;
  int64_t integer(std::string_view name, int64_t fallback, int64_t min, int64_t max) const;
  bool boolean(std::string_view name, bool fallback) const;
  // A string or an array of strings.
  std::vector<std::string> names(std::string_view name) const;
  // Refuses keys not in `known` (typos must not be silently ignored).
  void only(const std::vector<std::string_view>& known) const;

  [[noreturn]] void fail(const std::string& message) const;

 private:
  const boost::json::value* find(std::string_view name) const;
  boost::json::object root_;
  std::string component_;
};

}  // namespace ferry_mysql

#endif  // FERRY_PLUGINS_MYSQL_JSON_OPTIONS_H_
