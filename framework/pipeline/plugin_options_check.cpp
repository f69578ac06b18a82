// Checking each stage's "config" against the options its plugin declares
// (design notes §3 rule 12): before any data moves, so a typo in an option
// fails the run at once instead of being ignored by the plugin.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <ferry/plugin.h>
#include <ferry/redact.hpp>

#include "pipeline/definition.h"
#include "pipeline/json_fields.h"
#include "pipeline/json_pointer.h"
#include "pipeline/sink_destinations.h"
#include "text/json_exact.h"

namespace ferry::core {
namespace {

using namespace pipeline_internal;

struct KindName {
  FerryKind kind;
  const char* name;
};

constexpr KindName kKindNames[] = {
    {FERRY_KIND_SOURCE, "source"},
    {FERRY_KIND_TRANSFORM, "transform"},
    {FERRY_KIND_SINK, "sink"},
    {FERRY_KIND_CHECKPOINT_HOOK, "checkpoint hook"},
    {FERRY_KIND_BACKLOG_HOOK, "backlog hook"},
    {FERRY_KIND_ORCHESTRATOR, "orchestrator"},
};

std::string kind_name(FerryKind kind) {
  for (const KindName& k : kKindNames) {
    if (k.kind == kind) {
      return k.name;
    }
  }
  return "kind " + std::to_string(kind);
}

std::string provided_kinds(const FerryPluginDescriptor& d) {
  std::vector<std::string> names;
  for (std::size_t i = 0; d.kinds != nullptr && i < d.n_kinds; ++i) {
    for (const KindName& k : kKindNames) {
      if ((d.kinds[i].kind & k.kind) != 0 &&
          std::find(names.begin(), names.end(), k.name) == names.end()) {
        names.emplace_back(k.name);
      }
    }
  }
  return names.empty() ? "nothing" : join_names(names);
}

const FerryKindSpec* find_kind(const FerryPluginDescriptor& d, FerryKind kind) {
  for (std::size_t i = 0; d.kinds != nullptr && i < d.n_kinds; ++i) {
    if (d.kinds[i].kind == kind) {
      return &d.kinds[i];
    }
  }
  return nullptr;
}

const char* option_type_name(FerryOptionType type) {
  switch (type) {
    case FERRY_OPTION_STRING:
      return "string";
    case FERRY_OPTION_INT:
      return "integer";
    case FERRY_OPTION_NUMBER:
      return "number";
    case FERRY_OPTION_BOOL:
      return "boolean";
    case FERRY_OPTION_ARRAY:
      return "array";
    case FERRY_OPTION_OBJECT:
      return "object";
    default:
      return "any value";
  }
}

// Empty when `v` fits `type`, else the message.
std::string type_problem(FerryOptionType type, const boost::json::value& v) {
  bool ok = true;
  switch (type) {
    case FERRY_OPTION_STRING:
      ok = v.is_string();
      break;
    case FERRY_OPTION_INT:
      // Strict: 3.0 is a double in JSON terms and a plugin reading an
      // integer would have to guess whether to round.
      if (const std::optional<std::string> wide = pipeline_internal::wide_integer_text(v)) {
        return "expected an integer of 64 bits, got " + *wide;
      }
      if (v.is_double()) {
        return "expected integer, got decimal number";
      }
      ok = v.is_int64() || v.is_uint64();
      break;
    case FERRY_OPTION_NUMBER:
      ok = v.is_number();
      break;
    case FERRY_OPTION_BOOL:
      ok = v.is_bool();
      break;
    case FERRY_OPTION_ARRAY:
      ok = v.is_array();
      break;
    case FERRY_OPTION_OBJECT:
      ok = v.is_object();
      break;
    case FERRY_OPTION_ANY:
      break;
    default:
      // A type this host does not know (a newer SDK): accept rather than
      // refuse a plugin for declaring more than we can check.
      break;
  }
  return ok ? std::string() : type_mismatch(option_type_name(type), v);
}

void record_text(std::string text, std::vector<std::string>& secrets) {
  if (text.empty() || std::find(secrets.begin(), secrets.end(), text) != secrets.end()) {
    return;
  }
  secrets.push_back(std::move(text));
}

// The credentials of a value shaped as an Authorization header ("Bearer
// <token>", "Basic <base64>": one word of letters, one space, one token),
// which a server may echo in a response another stage logs; none for other
// text, whose last word is no secret of its own.
std::string authorization_credentials(std::string_view text) {
  const size_t space = text.find(' ');
  if (space == 0 || space == std::string_view::npos || space > 32) return {};
  for (size_t i = 0; i < space; ++i)
    if (!std::isalpha(static_cast<unsigned char>(text[i]))) return {};
  const std::string_view credentials = text.substr(space + 1);
  if (credentials.size() < 4 || credentials.find_first_of(" \t") != std::string_view::npos) return {};
  return std::string(credentials);
}

// Redaction matches text in log lines, so a non-string secret is recorded as
// it would be printed, and a secret object or array value by value too (a
// header's value is what a message quotes, never the object's JSON).
void record_secret(const boost::json::value& v, std::vector<std::string>& secrets) {
  if (v.is_string()) {
    const std::string_view text(v.get_string());
    record_text(std::string(text), secrets);
    record_text(authorization_credentials(text), secrets);
    return;
  }
  record_text(boost::json::serialize(v), secrets);
  if (v.is_object())
    for (const auto& member : v.get_object()) record_secret(member.value(), secrets);
  if (v.is_array())
    for (const auto& item : v.get_array()) record_secret(item, secrets);
}

// Credentials written into a URL (`http://user:pass@host`) are secrets
// whatever option holds the URL, and so is the Basic header built from them.
void record_url_credentials(const boost::json::value& v, std::vector<std::string>& secrets) {
  if (v.is_string()) {
    const std::string_view text(v.get_string());
    if (text.find("://") == std::string_view::npos) return;
    ferry::SecretScrubber scrub;
    scrub.add_url_userinfo(text);
    for (const std::string& s : scrub.secrets())
      if (std::find(secrets.begin(), secrets.end(), s) == secrets.end()) secrets.push_back(s);
  } else if (v.is_array()) {
    for (const auto& item : v.get_array()) record_url_credentials(item, secrets);
  } else if (v.is_object()) {
    for (const auto& member : v.get_object()) record_url_credentials(member.value(), secrets);
  }
}

void check_options(StageDef& stage, const FerryKindSpec& spec, const std::string& what,
                   std::vector<std::string>& secrets, std::vector<DefinitionIssue>& issues) {
  const std::string config_path = stage.json_path + "/config";
  std::vector<std::string> known;
  for (std::size_t i = 0; spec.options != nullptr && i < spec.n_options; ++i) {
    if (spec.options[i].name != nullptr) {
      known.emplace_back(spec.options[i].name);
    }
  }

  for (const auto& member : stage.config) {
    record_url_credentials(member.value(), secrets);
    const std::string key(member.key());
    if (std::find(known.begin(), known.end(), key) != known.end()) {
      continue;
    }
    std::string message = "unknown option '" + key + "' for " + what + " plugin '" + stage.plugin + "'";
    message += known.empty() ? " (it takes no options)" : " (known: " + join_names(known) + ")";
    issues.push_back({pointer_append(config_path, key), std::move(message)});
  }

  for (std::size_t i = 0; spec.options != nullptr && i < spec.n_options; ++i) {
    const FerryOptionSpec& option = spec.options[i];
    if (option.name == nullptr) {
      continue;
    }
    const std::string path = pointer_append(config_path, option.name);
    if (const boost::json::value* v = stage.config.if_contains(option.name)) {
      std::string problem = type_problem(option.type, *v);
      if (!problem.empty()) {
        issues.push_back({path, std::move(problem)});
      } else if ((option.flags & FERRY_OPTION_SECRET) != 0) {
        record_secret(*v, secrets);
      }
      continue;
    }
    if ((option.flags & FERRY_OPTION_REQUIRED) != 0) {
      issues.push_back({path, "missing required option '" + std::string(option.name) + "'"});
      continue;
    }
    if (option.default_json == nullptr) {
      continue;
    }
    boost::json::error_code ec;
    boost::json::value fallback = support::parse_json_exact(option.default_json, ec);
    if (ec) {
      issues.push_back({path, "plugin '" + stage.plugin + "' declares an invalid default for option '" +
                                  option.name + "' (" + ec.message() + ")"});
      continue;
    }
    stage.config[option.name] = std::move(fallback);
  }
}

void check_stage(StageDef& stage, FerryKind kind, const DescriptorLookup& plugins, PipelineDef& def,
                 std::vector<DefinitionIssue>& issues) {
  std::vector<std::string>& secrets = def.secrets;
  const FerryPluginDescriptor* d = plugins.find(stage.plugin);
  if (d == nullptr) {
    std::string why = plugins.why_missing(stage.plugin);
    issues.push_back({stage.json_path + "/plugin",
                      "unknown plugin '" + stage.plugin + "'" + (why.empty() ? "" : "; " + why)});
    return;
  }
  const std::string what = kind_name(kind);
  const FerryKindSpec* spec = find_kind(*d, kind);
  if (spec == nullptr) {
    issues.push_back({stage.json_path + "/plugin", "plugin '" + stage.plugin + "' cannot be used as a " + what +
                                                       "; it provides: " + provided_kinds(*d)});
    return;
  }
  const size_t issues_before = issues.size();
  check_options(stage, *spec, what, secrets, issues);
  if (issues.size() != issues_before) return;
  // The options have the declared shapes and their defaults: now what only
  // the plugin knows (templates, rules, options that need each other).
  if (std::optional<std::string> why = plugins.check_config(stage.plugin, config_check_of(def, stage, kind)))
    issues.push_back({stage.json_path + "/config", *why});
}

}  // namespace

DescriptorLookup::ConfigCheck config_check_of(const PipelineDef& def, const StageDef& stage, uint32_t kind) {
  DescriptorLookup::ConfigCheck check;
  check.kind = kind;
  check.config_json = boost::json::serialize(stage.config);
  check.pipeline = def.name;
  check.name = stage.name;
  check.base_dir = def.base_dir.string();
  check.max_batch_records = def.max_batch_records;
  check.max_batch_bytes = def.max_batch_bytes;
  return check;
}

void validate_stage_against_plugin(PipelineDef& def, StageDef& stage, uint32_t kind,
                                   const DescriptorLookup& plugins) {
  std::vector<DefinitionIssue> issues;
  check_stage(stage, kind, plugins, def, issues);
  if (!issues.empty()) throw DefinitionError(def.file.string(), std::move(issues));
}

void validate_against_plugins(PipelineDef& def, const DescriptorLookup& plugins,
                              std::vector<DefinitionIssue> structure_issues) {
  std::vector<DefinitionIssue> issues = std::move(structure_issues);
  const size_t structural = issues.size();
  // A stage whose plugin or config the structure already refused (a missing
  // plugin name, a config that is no object) is reported once, by the
  // structure; one with another problem (a duplicate name) is still checked.
  const auto check = [&](StageDef& stage, FerryKind kind) {
    const auto under = [](const std::string& path, const std::string& prefix) {
      return path.compare(0, prefix.size(), prefix) == 0 && (path.size() == prefix.size() || path[prefix.size()] == '/');
    };
    for (size_t i = 0; i < structural; ++i) {
      const std::string& path = issues[i].path;
      if (path == stage.json_path || under(path, stage.json_path + "/plugin") ||
          under(path, stage.json_path + "/config"))
        return;
    }
    check_stage(stage, kind, plugins, def, issues);
  };
  check(def.source, FERRY_KIND_SOURCE);
  for (StageDef& t : def.transforms) check(t, FERRY_KIND_TRANSFORM);
  for (SinkDef& s : def.sinks) check(s, FERRY_KIND_SINK);
  for (StageDef& h : def.checkpoint_hooks) check(h, FERRY_KIND_CHECKPOINT_HOOK);
  if (def.orchestrator) check(*def.orchestrator, FERRY_KIND_ORCHESTRATOR);
  for (StageDef& h : def.backlog_hooks) check(h, FERRY_KIND_BACKLOG_HOOK);
  // Destinations compare the options with their defaults, so only once
  // every stage is well formed.
  if (issues.empty()) check_sink_destinations(def, plugins, issues);
  if (!issues.empty()) {
    throw DefinitionError(def.file.string(), std::move(issues));
  }
}

}  // namespace ferry::core
