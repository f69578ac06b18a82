#include "hook_options.h"

namespace ferry_sql_hooks {
namespace {

// Prefixes end up inside table and index names on every driver we may add;
// a plain alphabet keeps them portable (quoting alone differs per server).
constexpr size_t kMaxPrefix = 32;

bool is_identifier_part(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

void read_hook_options(const ferry::support::OptionReader& in, HookOptions& opts) {
  const std::string driver = in.text("driver", "sqlite");
  if (driver == "sqlite") {
    opts.driver = Driver::kSqlite;
  } else if (driver == "postgres") {
    opts.driver = Driver::kPostgres;
#ifdef FERRY_SQL_HOOKS_MYSQL
  } else if (driver == "mysql") {
    opts.driver = Driver::kMysql;
#endif
  } else {
    in.fail("driver '" + driver + "' is not available in this build");
  }
  opts.path = in.text("path");
  opts.dsn = in.text("dsn");
  opts.table_prefix = in.string("table_prefix", opts.table_prefix);
  if (opts.table_prefix.size() > kMaxPrefix)
    in.fail("option 'table_prefix' is longer than " + std::to_string(kMaxPrefix) + " characters");
  for (char c : opts.table_prefix)
    if (!is_identifier_part(c)) in.fail("option 'table_prefix' may only hold [A-Za-z0-9_]");
  opts.busy_timeout_ms = static_cast<int>(in.integer("busy_timeout_ms", opts.busy_timeout_ms, 0, 3600000));

  // What the descriptor cannot say: "required for one driver".
  if (opts.driver == Driver::kSqlite) {
    if (opts.path.empty()) in.fail("option 'path' is required for driver 'sqlite'");
    if (!opts.dsn.empty()) in.fail("option 'dsn' is not for driver 'sqlite'");
    return;
  }
  const char* name = opts.driver == Driver::kPostgres ? "postgres" : "mysql";
  if (opts.dsn.empty()) in.fail("option 'dsn' is required for driver '" + std::string(name) + "'");
  if (!opts.path.empty()) in.fail("option 'path' is only for driver 'sqlite'");
}

}  // namespace ferry_sql_hooks
