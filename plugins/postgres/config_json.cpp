#include "config_json.h"

#include <algorithm>
#include <ferry/plugin.hpp>

namespace ferry_pg {

namespace json = boost::json;

ConfigReader::ConfigReader(std::string who, std::string_view config_json) : who_(std::move(who)) {
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(config_json.data(), config_json.size()), ec);
  if (ec) fail("config is not valid JSON: " + ec.message());
  if (!root.is_object()) fail("config must be a JSON object");
  root_ = std::move(root.as_object());
}

void ConfigReader::fail(const std::string& message) const {
  throw ferry::Error(FERRY_ERROR_CONFIG, who_ + ": " + message);
}

std::string ConfigReader::string(std::string_view name, const json::value& v) const {
  if (!v.is_string()) fail("option '" + std::string(name) + "' must be a string");
  const json::string& s = v.as_string();
  if (s.empty()) fail("option '" + std::string(name) + "' must not be empty");
  return std::string(s.data(), s.size());
}

bool ConfigReader::boolean(std::string_view name, const json::value& v) const {
  if (!v.is_bool()) fail("option '" + std::string(name) + "' must be a boolean");
  return v.as_bool();
}

int64_t ConfigReader::integer(std::string_view name, const json::value& v, int64_t min,
                              int64_t max) const {
  int64_t out = 0;
  // The host may hand over 5.0 for 5 after its own validation.
  if (v.is_int64()) out = v.as_int64();
  else if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX))
    out = static_cast<int64_t>(v.as_uint64());
  else if (v.is_double() && v.as_double() == static_cast<double>(static_cast<int64_t>(v.as_double())))
    out = static_cast<int64_t>(v.as_double());
  else fail("option '" + std::string(name) + "' must be an integer");
  if (out < min || out > max)
    fail("option '" + std::string(name) + "' must be between " + std::to_string(min) + " and " +
         std::to_string(max));
  return out;
}

std::vector<std::string> ConfigReader::names(std::string_view name, const json::value& v) const {
  if (!v.is_array() || v.as_array().empty())
    fail("option '" + std::string(name) + "' must be a non-empty array of column names");
  std::vector<std::string> out;
  for (const json::value& item : v.as_array()) {
    std::string s = string(std::string(name) + "[]", item);
    if (std::find(out.begin(), out.end(), s) != out.end())
      fail("option '" + std::string(name) + "' names column \"" + s + "\" twice");
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ferry_pg
