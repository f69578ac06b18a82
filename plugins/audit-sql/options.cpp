#include "options.h"

#include <boost/json.hpp>

namespace ferry_audit_sql {

Options parse_options(std::string_view config_json) {
  constexpr std::string_view kHook = "audit-sql";
  namespace json = boost::json;
  using ferry_sql_hooks::fail_option;
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(config_json.data(), config_json.size()), ec);
  if (ec) fail_option(kHook, "config is not valid JSON: " + ec.message());
  if (!root.is_object()) fail_option(kHook, "config must be a JSON object");

  Options opts;
  for (const json::key_value_pair& kv : root.as_object()) {
    const std::string_view name(kv.key().data(), kv.key().size());
    if (name == "granularity") {
      const std::string g = ferry_sql_hooks::read_string_option(kHook, kv.value(), name);
      if (g == "batch") {
        opts.granularity = Granularity::kBatch;
      } else if (g == "record") {
        opts.granularity = Granularity::kRecord;
      } else {
        fail_option(kHook, "option 'granularity' must be \"batch\" or \"record\", got \"" + g + "\"");
      }
    } else if (!ferry_sql_hooks::read_hook_option(kHook, name, kv.value(), opts)) {
      fail_option(kHook, "unknown option '" + std::string(name) + "'");
    }
  }
  ferry_sql_hooks::check_hook_options(kHook, opts);
  return opts;
}

}  // namespace ferry_audit_sql
