#include "options.h"

#include <boost/json.hpp>

namespace ferry_failure_stats {

Options parse_options(std::string_view config_json) {
  constexpr std::string_view kHook = "failure-stats";
  namespace json = boost::json;
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(config_json.data(), config_json.size()), ec);
  if (ec) ferry_sql_hooks::fail_option(kHook, "config is not valid JSON: " + ec.message());
  if (!root.is_object()) ferry_sql_hooks::fail_option(kHook, "config must be a JSON object");

  Options opts;
  for (const json::key_value_pair& kv : root.as_object()) {
    const std::string_view name(kv.key().data(), kv.key().size());
    if (!ferry_sql_hooks::read_hook_option(kHook, name, kv.value(), opts))
      ferry_sql_hooks::fail_option(kHook, "unknown option '" + std::string(name) + "'");
  }
  ferry_sql_hooks::check_hook_options(kHook, opts);
  return opts;
}

}  // namespace ferry_failure_stats
