#include "options.h"

#include <boost/json.hpp>
#include <ferry/plugin.hpp>
#include <string>

namespace ferry_generator {
namespace {

namespace json = boost::json;

[[noreturn]] void fail(const std::string& message) {
  throw ferry::Error(FERRY_ERROR_CONFIG, "generator: " + message);
}

int64_t read_int(const json::value& v, std::string_view name, int64_t min, int64_t max) {
  // The host may hand over 5.0 for 5 after its own validation; accept
  // integral doubles but nothing fractional.
  int64_t out = 0;
  if (v.is_int64()) {
    out = v.as_int64();
  } else if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    out = static_cast<int64_t>(v.as_uint64());
  } else if (v.is_double() &&
             v.as_double() == static_cast<double>(static_cast<int64_t>(v.as_double()))) {
    out = static_cast<int64_t>(v.as_double());
  } else {
    fail("option '" + std::string(name) + "' must be an integer");
  }
  if (out < min || out > max)
    fail("option '" + std::string(name) + "' must be between " + std::to_string(min) + " and " +
         std::to_string(max) + ", got " + std::to_string(out));
  return out;
}

}  // namespace

Options parse_options(std::string_view config_json) {
  Options opts;
  if (config_json.find_first_not_of(" \t\r\n") == std::string_view::npos) return opts;

  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(config_json.data(), config_json.size()), ec);
  if (ec) fail("config is not valid JSON: " + ec.message());
  if (!root.is_object()) fail("config must be a JSON object");

  for (const json::key_value_pair& kv : root.as_object()) {
    const std::string_view name(kv.key().data(), kv.key().size());
    const json::value& v = kv.value();
    if (name == "count") {
      opts.count = static_cast<uint64_t>(read_int(v, name, 0, INT64_MAX));
    } else if (name == "partitions") {
      opts.partitions = static_cast<uint64_t>(read_int(v, name, 1, 1000000));
    } else if (name == "fields") {
      opts.fields = static_cast<uint64_t>(read_int(v, name, 1, 1000));
    } else if (name == "seed") {
      opts.seed = read_int(v, name, INT64_MIN, INT64_MAX);
    } else if (name == "key") {
      if (!v.is_bool()) fail("option 'key' must be a boolean");
      opts.key = v.as_bool();
    } else {
      fail("unknown option '" + std::string(name) + "'");
    }
  }
  return opts;
}

}  // namespace ferry_generator
