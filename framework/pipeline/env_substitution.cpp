// Environment substitution runs on the parsed tree, not the raw text, so a
// value containing quotes or newlines cannot break the JSON and syntax errors
// keep the line and column of what the user wrote.
#include "pipeline/env_substitution.h"

#include <cctype>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "pipeline/json_pointer.h"

namespace ferry::core::pipeline_internal {
namespace {

bool valid_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) != 0) {
    return false;
  }
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') {
      return false;
    }
  }
  return true;
}

// Whether `path` is the config of a stage: /source/config,
// /orchestrator/config, /transforms/N/config, /sinks/N/config,
// /hooks/checkpoint/N/config, /hooks/backlog/N/config.
bool is_stage_config(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/'
    const std::size_t next = path.find('/');
    parts.push_back(path.substr(0, next));
    path = next == std::string_view::npos ? std::string_view() : path.substr(next);
  }
  if (parts.empty() || parts.back() != "config") return false;
  if (parts.size() == 2) return parts[0] == "source" || parts[0] == "orchestrator";
  if (parts.size() == 3) return parts[0] == "transforms" || parts[0] == "sinks";
  return parts.size() == 4 && parts[0] == "hooks" && (parts[1] == "checkpoint" || parts[1] == "backlog");
}

}  // namespace

std::optional<std::string> expand_env(std::string_view text, std::string& error) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i];
      ++i;
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      error = "unterminated '${' (write '$${' for a literal '${')";
      return std::nullopt;
    }
    std::string name(text.substr(i + 2, close - i - 2));
    // ${NAME:-default}: the default when NAME is unset or empty, as in sh.
    std::optional<std::string> fallback;
    if (const std::size_t sep = name.find(":-"); sep != std::string::npos) {
      fallback = name.substr(sep + 2);
      name.resize(sep);
    }
    if (!valid_name(name)) {
      error = "invalid environment variable name '" + name + "' (use letters, digits and '_')";
      return std::nullopt;
    }
    const char* value = std::getenv(name.c_str());
    if (fallback && (value == nullptr || *value == '\0')) {
      out += *fallback;
    } else if (value == nullptr) {
      error = "undefined environment variable '" + name + "' (write ${" + name + ":-default} for a default)";
      return std::nullopt;
    } else {
      out += value;
    }
    i = close + 1;
  }
  return out;
}

void substitute_env(boost::json::value& value, const std::string& path, std::vector<DefinitionIssue>& issues,
                    EnvScope scope) {
  if (scope == EnvScope::kFerryKeys && is_stage_config(path)) return;
  if (value.is_string()) {
    const boost::json::string& s = value.get_string();
    if (s.find('$') == boost::json::string::npos) {
      return;
    }
    std::string error;
    std::optional<std::string> expanded = expand_env(std::string_view(s.data(), s.size()), error);
    if (!expanded) {
      issues.push_back({path, error});
      return;
    }
    value = boost::json::string(*expanded);
    return;
  }
  if (value.is_array()) {
    boost::json::array& a = value.get_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
      substitute_env(a[i], pointer_append(path, i), issues, scope);
    }
    return;
  }
  if (value.is_object()) {
    for (auto& member : value.get_object()) {
      substitute_env(member.value(), pointer_append(path, member.key()), issues, scope);
    }
  }
}

}  // namespace ferry::core::pipeline_internal
