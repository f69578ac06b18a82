#include "config.h"

#include <ferry/plugin.hpp>

#include <boost/json/parse.hpp>

namespace ferry_file {
namespace {

[[noreturn]] void fail(const char* name, const char* expected) {
  throw ferry::Error(FERRY_ERROR_CONFIG,
                     std::string("option '") + name + "': expected " + expected);
}

}  // namespace

Config::Config(std::string_view json) {
  if (json.empty()) json = "{}";
  boost::system::error_code ec;
  root_ = boost::json::parse(json, ec);
  if (ec) throw ferry::Error(FERRY_ERROR_CONFIG, "config is not valid JSON: " + ec.message());
  if (!root_.is_object()) throw ferry::Error(FERRY_ERROR_CONFIG, "config must be a JSON object");
}

const boost::json::value* Config::find(const char* name) const {
  const boost::json::value* v = root_.get_object().if_contains(name);
  return v && !v->is_null() ? v : nullptr;
}

std::optional<std::string> Config::string(const char* name) const {
  const boost::json::value* v = find(name);
  if (!v) return std::nullopt;
  if (!v->is_string()) fail(name, "a string");
  return std::string(v->get_string());
}

std::optional<bool> Config::boolean(const char* name) const {
  const boost::json::value* v = find(name);
  if (!v) return std::nullopt;
  if (!v->is_bool()) fail(name, "true or false");
  return v->get_bool();
}

std::optional<int64_t> Config::integer(const char* name) const {
  const boost::json::value* v = find(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) fail(name, "a smaller integer");
  fail(name, "an integer");
}

std::vector<std::string> Config::strings(const char* name) const {
  const boost::json::value* v = find(name);
  std::vector<std::string> out;
  if (!v) return out;
  if (v->is_string()) {
    out.emplace_back(v->get_string());
    return out;
  }
  if (!v->is_array()) fail(name, "a string or an array of strings");
  for (const boost::json::value& e : v->get_array()) {
    if (!e.is_string()) fail(name, "a string or an array of strings");
    out.emplace_back(e.get_string());
  }
  return out;
}

const boost::json::object* Config::object(const char* name) const {
  const boost::json::value* v = find(name);
  if (!v) return nullptr;
  if (!v->is_object()) fail(name, "an object");
  return &v->get_object();
}

}  // namespace ferry_file
