#include "json_options.h"

#include <algorithm>
#include <ferry/plugin.hpp>

namespace ferry_mysql {

namespace json = boost::json;

ConfigReader::ConfigReader(std::string_view config_json, std::string component)
    : component_(std::move(component)) {
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(config_json.data(), config_json.size()), ec);
  if (ec) fail("config is not valid JSON: " + ec.message());
  if (root.is_null()) return;
  if (!root.is_object()) fail("config must be a JSON object");
  root_ = std::move(root.as_object());
}

void ConfigReader::fail(const std::string& message) const {
  throw ferry::Error(FERRY_ERROR_CONFIG, component_ + ": " + message);
}

const json::value* ConfigReader::find(std::string_view name) const {
  const json::value* v = root_.if_contains(json::string_view(name.data(), name.size()));
  // An option the host filled with null means "not given".
  return v == nullptr || v->is_null() ? nullptr : v;
}

bool ConfigReader::has(std::string_view name) const { return find(name) != nullptr; }

std::string ConfigReader::string(std::string_view name, std::string_view fallback) const {
  const json::value* v = find(name);
  if (v == nullptr) return std::string(fallback);
  if (!v->is_string()) fail("option '" + std::string(name) + "' must be a string");
  return std::string(v->as_string().data(), v->as_string().size());
}

int64_t ConfigReader::integer(std::string_view name, int64_t fallback, int64_t min,
                              int64_t max) const {
  const json::value* v = find(name);
  if (v == nullptr) return fallback;
  int64_t n = 0;
  if (v->is_int64()) {
    n = v->as_int64();
  } else if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    n = static_cast<int64_t>(v->as_uint64());
  } else {
    fail("option '" + std::string(name) + "' must be an integer");
  }
  if (n < min || n > max)
    fail("option '" + std::string(name) + "' must be between " + std::to_string(min) + " and " +
         std::to_string(max) + ", got " + std::to_string(n));
  return n;
}

bool ConfigReader::boolean(std::string_view name, bool fallback) const {
  const json::value* v = find(name);
  if (v == nullptr) return fallback;
  if (!v->is_bool()) fail("option '" + std::string(name) + "' must be a boolean");
  return v->as_bool();
}

std::vector<std::string> ConfigReader::names(std::string_view name) const {
  const json::value* v = find(name);
  std::vector<std::string> out;
  if (v == nullptr) return out;
  auto add = [&](const json::value& item) {
    if (!item.is_string() || item.as_string().empty())
      fail("option '" + std::string(name) + "' must be a column name or an array of them");
    std::string s(item.as_string().data(), item.as_string().size());
    if (std::find(out.begin(), out.end(), s) != out.end())
      fail("option '" + std::string(name) + "' names column \"" + s + "\" twice");
    out.push_back(std::move(s));
  };
  if (v->is_array()) {
    for (const json::value& item : v->as_array()) add(item);
  } else {
    add(*v);
  }
  return out;
}

void ConfigReader::only(const std::vector<std::string_view>& known) const {
  for (const json::key_value_pair& kv : root_) {
    const std::string_view key(kv.key().data(), kv.key().size());
    if (std::find(known.begin(), known.end(), key) == known.end())
      fail("unknown option '" + std::string(key) + "'");
  }
}

}  // namespace ferry_mysql
