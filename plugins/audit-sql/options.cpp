#include "options.h"

#include <boost/json.hpp>
#include <ferry/plugin.hpp>

namespace ferry_audit_sql {
namespace {

namespace json = boost::json;

// Prefixes end up inside table and index names on every driver we may add;
// a plain alphabet keeps them portable (quoting alone differs per server).
constexpr size_t kMaxPrefix = 32;

[[noreturn]] void fail(const std::string& message) {
  throw ferry::Error(FERRY_ERROR_CONFIG, "audit-sql: " + message);
}

std::string read_string(const json::value& v, std::string_view name, bool allow_empty = false) {
  if (!v.is_string()) fail("option '" + std::string(name) + "' must be a string");
  const json::string& s = v.as_string();
  if (s.empty() && !allow_empty) fail("option '" + std::string(name) + "' must not be empty");
  return std::string(s.data(), s.size());
}

bool is_identifier_part(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

Options parse_options(std::string_view config_json) {
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(config_json.data(), config_json.size()), ec);
  if (ec) fail("config is not valid JSON: " + ec.message());
  if (!root.is_object()) fail("config must be a JSON object");

  Options opts;
  for (const json::key_value_pair& kv : root.as_object()) {
    const std::string_view name(kv.key().data(), kv.key().size());
    const json::value& v = kv.value();
    if (name == "driver") {
      const std::string driver = read_string(v, name);
      if (driver == "sqlite") {
        opts.driver = Driver::kSqlite;
      } else if (driver == "postgres") {
        opts.driver = Driver::kPostgres;
#ifdef FERRY_SQL_HOOKS_MYSQL
      } else if (driver == "mysql") {
        opts.driver = Driver::kMysql;
#endif
      } else {
        fail("driver '" + driver + "' is not available in this build");
      }
    } else if (name == "path") {
      opts.path = read_string(v, name);
    } else if (name == "dsn") {
      opts.dsn = read_string(v, name);
    } else if (name == "granularity") {
      const std::string g = read_string(v, name);
      if (g == "batch") {
        opts.granularity = Granularity::kBatch;
      } else if (g == "record") {
        opts.granularity = Granularity::kRecord;
      } else {
        fail("option 'granularity' must be \"batch\" or \"record\", got \"" + g + "\"");
      }
    } else if (name == "table_prefix") {
      opts.table_prefix = read_string(v, name, /*allow_empty=*/true);
      if (opts.table_prefix.size() > kMaxPrefix)
        fail("option 'table_prefix' is longer than " + std::to_string(kMaxPrefix) + " characters");
      for (char c : opts.table_prefix)
        if (!is_identifier_part(c)) fail("option 'table_prefix' may only hold [A-Za-z0-9_]");
    } else if (name == "busy_timeout_ms") {
      if (!v.is_int64() || v.as_int64() < 0 || v.as_int64() > 3600000)
        fail("option 'busy_timeout_ms' must be an integer between 0 and 3600000");
      opts.busy_timeout_ms = static_cast<int>(v.as_int64());
    } else {
      fail("unknown option '" + std::string(name) + "'");
    }
  }
  // The descriptor cannot say "required for one driver", so both options are
  // optional there and checked here.
  if (opts.driver == Driver::kSqlite) {
    if (opts.path.empty()) fail("option 'path' is required for driver 'sqlite'");
    if (!opts.dsn.empty()) fail("option 'dsn' is not for driver 'sqlite'");
  } else {
    const char* name = opts.driver == Driver::kPostgres ? "postgres" : "mysql";
    if (opts.dsn.empty()) fail("option 'dsn' is required for driver '" + std::string(name) + "'");
    if (!opts.path.empty()) fail("option 'path' is only for driver 'sqlite'");
  }
  return opts;
}

}  // namespace ferry_audit_sql
