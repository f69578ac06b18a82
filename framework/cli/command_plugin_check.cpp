// ferry plugin check LIB.so: the conformance kit's table.
#include <cstdio>
#include <filesystem>

#include <boost/json.hpp>

#include "cli/commands.h"
#include "common/json_out.h"
#include "conformance/plugin_check.h"
#include "plugin/loaded_plugin.h"

namespace ferry::cli {
namespace {

const char* verdict_text(core::CheckResult::Verdict v) {
  switch (v) {
    case core::CheckResult::Verdict::Pass: return "pass";
    case core::CheckResult::Verdict::Fail: return "FAIL";
    case core::CheckResult::Verdict::Skip: return "skip";
  }
  return "?";
}

}  // namespace

int plugin_check_command(const PluginCheckArgs& a) {
  core::PluginCheckOptions options;
  std::error_code ec;
  options.library = std::filesystem::absolute(a.library, ec);
  if (ec || !std::filesystem::is_regular_file(options.library))
    throw UsageError("plugin check: no such file: " + a.library);
  options.config_json = a.config_json;
  options.count_command = a.count_rows;
  if (!a.kind.empty()) options.kind = core::kind_from_name(a.kind);
  options.base_dir = std::filesystem::current_path();
  const core::CheckResults results = core::check_plugin(options);

  int failed = 0;
  for (const core::CheckResult& r : results) failed += r.verdict == core::CheckResult::Verdict::Fail;
  if (a.json) {
    boost::json::array checks;
    for (const core::CheckResult& r : results)
      checks.push_back({{"check", r.name}, {"result", verdict_text(r.verdict)}, {"detail", r.detail}});
    boost::json::object out{{"library", options.library.string()}, {"failed", failed}, {"checks", checks}};
    std::printf("%s\n", core::json_text(out).c_str());
  } else {
    size_t width = 5;
    for (const core::CheckResult& r : results) width = std::max(width, r.name.size());
    std::printf("%-*s  %-6s %s\n", static_cast<int>(width), "check", "result", "detail");
    for (const core::CheckResult& r : results)
      std::printf("%-*s  %-6s %s\n", static_cast<int>(width), r.name.c_str(), verdict_text(r.verdict),
                  r.detail.c_str());
    std::printf("%s: %d of %zu checks failed\n", options.library.filename().c_str(), failed, results.size());
  }
  return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace ferry::cli
