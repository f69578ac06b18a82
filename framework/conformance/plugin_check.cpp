#include "conformance/plugin_check.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "common/error.h"
#include "conformance/contracts.h"
#include "conformance/negotiation_check.h"
#include "pipeline/definition.h"
#include "plugin/elf_probe.h"
#include "plugin/registry.h"

namespace ferry::core {
namespace {

// The one plugin under check, as the option checks look plugins up.
class OnePlugin final : public DescriptorLookup {
 public:
  explicit OnePlugin(const LoadedPlugin& p) : p_(p) {}
  const FerryPluginDescriptor* find(const std::string& name) const override {
    return name == p_.name() ? &p_.descriptor() : nullptr;
  }
  std::string why_missing(const std::string&) const override { return ""; }
  std::optional<std::string> check_config(const std::string&, const ConfigCheck& c) const override {
    return run_check_config(p_, c);
  }

 private:
  const LoadedPlugin& p_;
};

CheckResult exports_check(const ElfProbe& probe) {
  const char* name = "exports";
  if (!probe.problem.empty()) return fail(name, probe.problem);
  if (!probe.has_descriptor || !probe.has_init)
    return fail(name, std::string("does not export ") +
                          (!probe.has_descriptor ? FERRY_PLUGIN_DESCRIPTOR_SYMBOL : FERRY_PLUGIN_INIT_SYMBOL));
  if (probe.other_export_count > 0)
    return fail(name, other_exports_text(probe) + "; build with -fvisibility=hidden and the SDK's export map");
  return pass(name, "ferry_plugin_descriptor and ferry_plugin_init only");
}

CheckResult name_check(const LoadedPlugin& p) {
  const std::string n = p.name();
  return valid_plugin_name(n) ? pass("name", "'" + n + "'")
               : fail("name", "'" + n + "' is not a valid plugin name (lowercase letters, digits, '-' and '_')");
}

CheckResult negotiation_check(const LoadedPlugin& p) {
  const std::vector<std::string> problems = negotiation_problems(p.init_function());
  if (problems.empty()) {
    std::string offered;
    for (uint32_t v : host_abi_versions()) offered += (offered.empty() ? "" : ", ") + abi_version_string(v);
    return pass("negotiation", "offered " + offered + ": each answered within its table");
  }
  std::string detail;
  for (const std::string& s : problems) detail += (detail.empty() ? "" : "; ") + s;
  return fail("negotiation", detail);
}

// Every declared option well formed, for every kind.
CheckResult declared_options_check(const LoadedPlugin& p) {
  const FerryPluginDescriptor& d = p.descriptor();
  for (size_t k = 0; k < d.n_kinds; ++k) {
    const FerryKindSpec& spec = d.kinds[k];
    std::set<std::string> seen;
    for (size_t i = 0; spec.options != nullptr && i < spec.n_options; ++i) {
      const FerryOptionSpec& o = spec.options[i];
      const std::string at = kinds_string(spec.kind) + " option " + std::to_string(i + 1);
      if (o.name == nullptr || *o.name == '\0') return fail("options declared", at + " has no name");
      if (!seen.insert(o.name).second) return fail("options declared", at + " repeats the name '" + o.name + "'");
      if (o.type < FERRY_OPTION_STRING || o.type > FERRY_OPTION_ANY)
        return fail("options declared", "option '" + std::string(o.name) + "' has type " + std::to_string(o.type) +
                                            ", which the ABI does not define");
      if (o.description == nullptr || *o.description == '\0')
        return fail("options declared", "option '" + std::string(o.name) + "' has no description");
      if (o.default_json != nullptr) {
        boost::json::error_code ec;
        boost::json::parse(o.default_json, ec);
        if (ec)
          return fail("options declared", "option '" + std::string(o.name) + "' has a default that is not JSON: " +
                                              o.default_json);
      }
    }
  }
  return pass("options declared");
}

}  // namespace

CheckResults check_plugin(const PluginCheckOptions& options) {
  CheckResults results;
  const ElfProbe probe = probe_elf(options.library);
  results.push_back(exports_check(probe));
  std::unique_ptr<LoadedPlugin> plugin;
  try {
    plugin = LoadedPlugin::load(options.library);
    results.push_back(pass("load", "descriptor, ABI " + abi_version_string(plugin->abi_version()) +
                                       " negotiated, tables for: " + kinds_string(plugin->kinds())));
  } catch (const std::exception& e) {
    results.push_back(fail("load", e.what()));
    return results;
  }
  results.push_back(name_check(*plugin));
  results.push_back(negotiation_check(*plugin));
  results.push_back(declared_options_check(*plugin));

  const FerryPluginDescriptor& d = plugin->descriptor();
  OnePlugin lookup(*plugin);
  for (size_t k = 0; k < d.n_kinds; ++k) {
    const FerryKind kind = d.kinds[k].kind;
    if (options.kind && *options.kind != kind) continue;
    const std::string what = kinds_string(kind);
    // The configuration as a run would hand it over: checked against the
    // declared options, defaults filled in, then the plugin's own check.
    PipelineDef def;
    def.name = "conformance";
    def.file = options.base_dir / "(--config)";
    def.base_dir = options.base_dir;
    StageDef stage;
    stage.name = "conformance-" + what;
    stage.plugin = plugin->name();
    stage.json_path = "";
    try {
      boost::json::value v = boost::json::parse(options.config_json);
      if (!v.is_object()) throw Error("--config must be a JSON object");
      stage.config = v.as_object();
      validate_stage_against_plugin(def, stage, kind, lookup);
      results.push_back(pass(what + ": configuration", "accepted, as the options declare"));
    } catch (const DefinitionError& e) {
      std::string detail;
      for (const auto& issue : e.issues())
        detail += (detail.empty() ? "" : "; ") + (issue.path.empty() ? "" : issue.path + ": ") + issue.message;
      results.push_back(fail(what + ": configuration", detail));
      continue;
    } catch (const std::exception& e) {
      results.push_back(fail(what + ": configuration", e.what()));
      continue;
    }
    KitOpen open;
    open.config_json = boost::json::serialize(stage.config);
    open.base_dir = options.base_dir.string();
    open.count_command = options.count_command;
    open.options = std::make_unique<OptionValues>(&d.kinds[k], open.config_json);
    CheckResults more;
    if (kind == FERRY_KIND_SINK) more = check_sink_contract(*plugin, open);
    if (kind == FERRY_KIND_SOURCE) more = check_source_contract(*plugin, open);
    if (kind == FERRY_KIND_TRANSFORM) more = check_transform_contract(*plugin, open);
    if (more.empty()) more.push_back(skip(what + ": contract", "no contract check for this kind yet"));
    results.insert(results.end(), more.begin(), more.end());
  }
  return results;
}

}  // namespace ferry::core
