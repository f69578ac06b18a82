// Typed access to a plugin's "config" object. Errors are FERRY_ERROR_CONFIG
// naming the option, so the message is useful even when the host's own
// validation (against the descriptor) did not catch it.
#ifndef FERRY_PLUGINS_FILE_CONFIG_H_
#define FERRY_PLUGINS_FILE_CONFIG_H_

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry_file {

class Config {
 public:
  // Throws ferry::Error(FERRY_ERROR_CONFIG) unless `json` is an object.
  explicit Config(std::string_view json);

  std::optional<std::string> string(const char* name) const;
  std::optional<bool> boolean(const char* name) const;
  std::optional<int64_t> integer(const char* name) const;
  // A string or an array of strings; empty when absent or null.
  std::vector<std::string> strings(const char* name) const;
  // The object, or null when absent or null.
  const boost::json::object* object(const char* name) const;

 private:
  const boost::json::value* find(const char* name) const;
  boost::json::value root_;
};

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_CONFIG_H_
