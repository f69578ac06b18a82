// Parsing a definition: text -> JSON (with positions) -> ${VAR} substitution
// -> the host-owned structure, strictly. Plugin configs are only checked to
// be objects here; their keys belong to the plugins (plugin_options_check).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <system_error>

#include "common/control_chars.h"
#include "pipeline/definition.h"
#include "pipeline/env_substitution.h"
#include "pipeline/json_fields.h"
#include "pipeline/json_pointer.h"
#include "pipeline/json_syntax.h"
#include "pipeline/limits.h"
#include "pipeline/settings_parse.h"

namespace ferry::core {
namespace {

using namespace pipeline_internal;

const std::vector<std::string> kTopLevelKeys = {"name",  "description", "state", "source",        "transforms",
                                                "sinks", "hooks",       "batch", "retry",         "commit_policy",
                                                "parallelism", "lineage", "orchestrator"};
const std::vector<std::string> kStageKeys = {"name", "plugin", "config"};
const std::vector<std::string> kHookKeys = {"name", "plugin", "config", "on_failure"};
const std::vector<std::string> kSinkKeys = {"name", "plugin", "required", "config", "retry"};

// Names end up in state tables, metrics and object keys, so they keep to a
// character set that is safe in all of them.
bool valid_name(const std::string& s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

// Plugin names become file names when the loader looks for a library, so
// anything like "../x" must never get that far.
bool valid_plugin_name(const std::string& s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string bad_name(const std::string& name) {
  return "invalid name '" + escape_controls(name) + "' (use letters, digits, '_', '.' and '-')";
}

// A stage as read, with whether its name was written or defaulted, so that
// a duplicate is reported where the user can fix it.
template <class Stage>
struct Parsed {
  Stage stage;
  bool explicit_name = false;
};

template <class Stage>
std::optional<Parsed<Stage>> parse_stage(const boost::json::value& v, const std::string& path,
                                         const std::vector<std::string>& keys, bool name_required,
                                         Issues& issues) {
  if (!v.is_object()) {
    issues.push_back({path, type_mismatch("object", v)});
    return std::nullopt;
  }
  const boost::json::object& o = v.get_object();
  check_known_keys(o, path, keys, issues);
  Parsed<Stage> out;
  out.stage.json_path = path;

  if (!o.contains("plugin")) {
    missing_key("plugin", path, issues);
  } else if (auto plugin = member_string(o, "plugin", path, issues)) {
    if (valid_plugin_name(*plugin)) {
      out.stage.plugin = *plugin;
    } else {
      issues.push_back(
          {path + "/plugin", "invalid plugin name '" + *plugin + "' (use lowercase letters, digits, '_' and '-')"});
    }
  }

  if (!o.contains("name")) {
    if (name_required) {
      missing_key("name", path, issues);
    }
    out.stage.name = out.stage.plugin;
  } else if (auto name = member_string(o, "name", path, issues)) {
    out.explicit_name = true;
    if (valid_name(*name)) {
      out.stage.name = *name;
    } else {
      issues.push_back({path + "/name", bad_name(*name)});
    }
  }

  if (const boost::json::object* config = member_object(o, "config", path, issues)) {
    out.stage.config = *config;
  }
  return out;
}

// Reports the second and later uses of a name: "duplicate sink name 'db'
// (also at /sinks/0)".
template <class Stage>
void check_unique(const std::vector<Parsed<Stage>>& list, const char* what, Issues& issues) {
  std::map<std::string, std::string> seen;
  for (const Parsed<Stage>& p : list) {
    if (p.stage.name.empty()) {
      continue;  // already reported as missing or invalid
    }
    const auto [it, inserted] = seen.emplace(p.stage.name, p.stage.json_path);
    if (inserted) {
      continue;
    }
    const std::string where = p.explicit_name ? p.stage.json_path + "/name" : p.stage.json_path;
    std::string message = std::string("duplicate ") + what + " name '" + p.stage.name + "' (also at " + it->second + ")";
    if (!p.explicit_name) {
      message += "; give each a \"name\"";
    }
    issues.push_back({where, std::move(message)});
  }
}

template <class Stage>
std::vector<Stage> unwrap(std::vector<Parsed<Stage>> list) {
  std::vector<Stage> out;
  out.reserve(list.size());
  for (Parsed<Stage>& p : list) {
    out.push_back(std::move(p.stage));
  }
  return out;
}

// An optional array of stages: transforms or one kind of hook.
std::vector<StageDef> parse_stage_list(const boost::json::object& parent, std::string_view key,
                                       const std::string& parent_path, const char* what, Issues& issues,
                                       bool hooks = false) {
  const boost::json::value* v = parent.if_contains(key);
  if (v == nullptr) {
    return {};
  }
  const std::string path = pointer_append(parent_path, key);
  if (!v->is_array()) {
    issues.push_back({path, type_mismatch("array", *v)});
    return {};
  }
  std::vector<Parsed<StageDef>> list;
  const boost::json::array& a = v->get_array();
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string item = pointer_append(path, i);
    auto p = parse_stage<StageDef>(a[i], item, hooks ? kHookKeys : kStageKeys, false, issues);
    if (!p) continue;
    if (hooks) {
      if (auto mode = member_string(a[i].get_object(), "on_failure", item, issues)) {
        if (*mode == "stop") p->stage.stop_on_failure = true;
        else if (*mode != "continue")
          issues.push_back({item + "/on_failure", "must be \"continue\" or \"stop\", not '" + *mode + "'"});
      }
    }
    list.push_back(std::move(*p));
  }
  check_unique(list, what, issues);
  return unwrap(std::move(list));
}

// Returns the number of entries in "sinks" (valid or not), which bounds the
// quorum: counting only the valid ones would add a second, misleading error.
std::size_t parse_sinks(const boost::json::object& top, PipelineDef& def, Issues& issues) {
  const boost::json::value* v = top.if_contains("sinks");
  if (v == nullptr) {
    missing_key("sinks", "", issues);
    return 0;
  }
  if (!v->is_array()) {
    issues.push_back({"/sinks", type_mismatch("array", *v)});
    return 0;
  }
  const boost::json::array& a = v->get_array();
  if (a.empty()) {
    issues.push_back({"/sinks", "at least one sink is required"});
    return 0;
  }
  std::vector<Parsed<SinkDef>> list;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string path = pointer_append("/sinks", i);
    auto p = parse_stage<SinkDef>(a[i], path, kSinkKeys, true, issues);
    if (!p) {
      continue;
    }
    const boost::json::object& o = a[i].get_object();
    if (auto required = member_bool(o, "required", path, issues)) {
      p->stage.required = *required;
    }
    p->stage.retry = def.retry;
    if (const boost::json::object* retry = member_object(o, "retry", path, issues)) {
      p->stage.retry = parse_retry(*retry, path + "/retry", def.retry, issues);
    }
    list.push_back(std::move(*p));
  }
  check_unique(list, "sink", issues);
  def.sinks = unwrap(std::move(list));
  return a.size();
}

void parse_hooks(const boost::json::object& top, PipelineDef& def, Issues& issues) {
  const boost::json::object* hooks = member_object(top, "hooks", "", issues);
  if (hooks == nullptr) {
    return;
  }
  check_known_keys(*hooks, "/hooks", {"checkpoint", "backlog"}, issues);
  def.checkpoint_hooks = parse_stage_list(*hooks, "checkpoint", "/hooks", "checkpoint hook", issues, true);
  def.backlog_hooks = parse_stage_list(*hooks, "backlog", "/hooks", "backlog hook", issues, true);
}

void parse_commit_policy_member(const boost::json::object& top, std::size_t sink_count, PipelineDef& def,
                                Issues& issues) {
  const std::optional<std::string> text = member_string(top, "commit_policy", "", issues);
  if (!text) {
    return;
  }
  std::string error;
  const std::optional<CommitPolicy> policy = parse_commit_policy(*text, error);
  if (!policy) {
    issues.push_back({"/commit_policy", error});
    return;
  }
  if (policy->kind == CommitPolicyKind::Quorum && policy->quorum == 0) {
    issues.push_back({"/commit_policy", "quorum must be at least 1"});
    return;
  }
  // With no valid "sinks" the bound is unknown, and "sinks" is reported anyway.
  if (policy->kind == CommitPolicyKind::Quorum && sink_count > 0 && policy->quorum > sink_count) {
    issues.push_back({"/commit_policy", "quorum " + std::to_string(policy->quorum) +
                                            " is more than the number of sinks (" + std::to_string(sink_count) +
                                            ")"});
    return;
  }
  if (policy->kind == CommitPolicyKind::Required && !def.sinks.empty()) {
    bool any_required = false;
    for (const SinkDef& s : def.sinks) {
      any_required = any_required || s.required;
    }
    if (!any_required) {
      issues.push_back({"/commit_policy", "'required' needs at least one sink with \"required\": true"});
      return;
    }
  }
  def.commit_policy = *policy;
}

void parse_top_level(const boost::json::object& top, PipelineDef& def, Issues& issues) {
  check_known_keys(top, "", kTopLevelKeys, issues);

  if (!top.contains("name")) {
    missing_key("name", "", issues);
  } else if (auto name = member_string(top, "name", "", issues)) {
    if (valid_name(*name)) {
      def.name = *name;
    } else {
      issues.push_back({"/name", bad_name(*name)});
    }
  }
  member_string(top, "description", "", issues);  // free text; only its type matters

  def.state = parse_state(member_object(top, "state", "", issues), def.name.empty() ? "pipeline" : def.name,
                          def.base_dir, def.secrets, issues);

  if (!top.contains("source")) {
    missing_key("source", "", issues);
  } else if (auto source = parse_stage<StageDef>(top.at("source"), "/source", kStageKeys, false, issues)) {
    def.source = std::move(source->stage);
  }
  def.transforms = parse_stage_list(top, "transforms", "", "transform", issues);

  // The pipeline's retry policy first: it is the base of every sink's own.
  if (const boost::json::object* retry = member_object(top, "retry", "", issues)) {
    def.retry = parse_retry(*retry, "/retry", RetryPolicy{}, issues);
  }
  const std::size_t sink_count = parse_sinks(top, def, issues);
  parse_hooks(top, def, issues);
  if (const boost::json::object* batch = member_object(top, "batch", "", issues)) {
    parse_batch(*batch, def, issues);
  }
  parse_commit_policy_member(top, sink_count, def, issues);

  if (const boost::json::value* p = top.if_contains("parallelism")) {
    if (p->is_string() && p->get_string() == "auto") {
      def.parallelism = 0;
    } else if (auto n = member_uint(top, "parallelism", "", 1, limits::kMaxParallelism, issues)) {
      def.parallelism = static_cast<uint32_t>(*n);
    }
  }
  if (auto lineage = member_bool(top, "lineage", "", issues)) def.lineage = *lineage;
  if (const boost::json::value* o = top.if_contains("orchestrator")) {
    if (auto stage = parse_stage<StageDef>(*o, "/orchestrator", kStageKeys, false, issues))
      def.orchestrator = std::move(stage->stage);
  }
}

std::filesystem::path absolute_path(const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(file, ec);
  if (ec) {
    return file.lexically_normal();
  }
  return abs.lexically_normal();
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

PipelineDef parse_pipeline_text(const std::string& text, const std::filesystem::path& file, DefinitionUse use,
                                std::vector<DefinitionIssue>* structure_issues) {
  Issues issues;
  PipelineDef def;
  def.file = absolute_path(file);
  def.base_dir = def.file.parent_path();

  boost::json::value doc = parse_json_document(text, issues);
  if (doc.is_null() && !issues.empty()) {
    throw DefinitionError(file.string(), std::move(issues));
  }
  if (!doc.is_object()) {
    issues.push_back({"", "expected a JSON object at the top level, got " + json_kind_name(doc)});
    throw DefinitionError(file.string(), std::move(issues));
  }
  substitute_env(doc, "", issues, use == DefinitionUse::kRun ? EnvScope::kEverything : EnvScope::kFerryKeys);
  parse_top_level(doc.get_object(), def, issues);
  if (structure_issues != nullptr) {
    *structure_issues = std::move(issues);
    return def;
  }
  if (!issues.empty()) {
    throw DefinitionError(file.string(), std::move(issues));
  }
  return def;
}

PipelineDef parse_pipeline_file(const std::filesystem::path& file, DefinitionUse use,
                                std::vector<DefinitionIssue>* structure_issues) {
  const auto cannot_read = [&file](int err) {
    return DefinitionError(file.string(), {{"", std::string("cannot read file: ") + std::strerror(err)}});
  };
  errno = 0;
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(file.c_str(), "rb"));
  if (!f) {
    throw cannot_read(errno);
  }
  // A pipeline definition is a few kilobytes: a bound keeps `ferry validate
  // /dev/zero` (or a log file named by mistake) from reading forever.
  constexpr std::size_t kMaxBytes = std::size_t{4} << 20;
  std::string text;
  char buffer[65536];
  for (;;) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, f.get());
    text.append(buffer, n);
    if (text.size() > kMaxBytes) {
      throw DefinitionError(file.string(),
                            {{"", "the file is larger than 4 MiB; a pipeline definition is not (is this the right file?)"}});
    }
    if (n < sizeof buffer) {
      break;
    }
  }
  // A directory opens fine and fails on read (EISDIR).
  if (std::ferror(f.get()) != 0) {
    throw cannot_read(errno != 0 ? errno : EIO);
  }
  return parse_pipeline_text(text, file, use, structure_issues);
}

}  // namespace ferry::core
