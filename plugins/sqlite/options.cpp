#include "options.h"

#include <algorithm>
#include <boost/json.hpp>
#include <ferry/plugin.hpp>

namespace ferry_sqlite {
namespace {

namespace json = boost::json;

[[noreturn]] void fail(const std::string& message) {
  throw ferry::Error(FERRY_ERROR_CONFIG, "sqlite sink: " + message);
}

std::string read_string(const json::value& v, std::string_view name) {
  if (!v.is_string()) fail("option '" + std::string(name) + "' must be a string");
  const json::string& s = v.as_string();
  if (s.empty()) fail("option '" + std::string(name) + "' must not be empty");
  return std::string(s.data(), s.size());
}

}  // namespace

Options parse_options(std::string_view config_json) {
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(config_json.data(), config_json.size()), ec);
  if (ec) fail("config is not valid JSON: " + ec.message());
  if (!root.is_object()) fail("config must be a JSON object");

  Options opts;
  bool have_path = false;
  bool have_table = false;
  for (const json::key_value_pair& kv : root.as_object()) {
    const std::string_view name(kv.key().data(), kv.key().size());
    const json::value& v = kv.value();
    if (name == "path") {
      opts.path = read_string(v, name);
      have_path = true;
    } else if (name == "table") {
      opts.table = read_string(v, name);
      have_table = true;
    } else if (name == "mode") {
      const std::string mode = read_string(v, name);
      if (mode == "append") {
        opts.mode = WriteMode::kAppend;
      } else if (mode == "upsert") {
        opts.mode = WriteMode::kUpsert;
      } else {
        fail("option 'mode' must be \"append\" or \"upsert\", got \"" + mode + "\"");
      }
    } else if (name == "key") {
      if (!v.is_array()) fail("option 'key' must be an array of column names");
      for (const json::value& col : v.as_array()) {
        std::string c = read_string(col, "key[]");
        if (std::find(opts.key.begin(), opts.key.end(), c) != opts.key.end())
          fail("option 'key' names column \"" + c + "\" twice");
        opts.key.push_back(std::move(c));
      }
    } else if (name == "create_table") {
      if (!v.is_bool()) fail("option 'create_table' must be a boolean");
      opts.create_table = v.as_bool();
    } else if (name == "synchronous") {
      const std::string sync = read_string(v, name);
      if (sync == "full") {
        opts.synchronous = Synchronous::kFull;
      } else if (sync == "normal") {
        opts.synchronous = Synchronous::kNormal;
      } else {
        fail("option 'synchronous' must be \"full\" or \"normal\", got \"" + sync + "\"");
      }
    } else if (name == "busy_timeout_ms") {
      if (!v.is_int64() || v.as_int64() < 0 || v.as_int64() > 3600000)
        fail("option 'busy_timeout_ms' must be an integer between 0 and 3600000");
      opts.busy_timeout_ms = static_cast<int>(v.as_int64());
    } else if (!ferry::support::is_schema_contract_option(name)) {
      fail("unknown option '" + std::string(name) + "'");
    }
  }
  opts.contract = ferry::support::read_schema_contract(root.as_object(), opts.create_table, "sqlite sink");
  if (!have_path) fail("option 'path' is required");
  if (!have_table) fail("option 'table' is required");
  if (opts.mode == WriteMode::kUpsert && opts.key.empty())
    fail("mode \"upsert\" needs option 'key' (the columns to match rows on)");
  return opts;
}

}  // namespace ferry_sqlite
