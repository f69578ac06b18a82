// "${VAR}" in definition strings, replaced from the environment so that
// secrets and per-host values stay out of the file.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "pipeline/definition.h"

namespace ferry::core::pipeline_internal {

// Expands one string: "${NAME}" -> getenv(NAME), "$${" -> "${". Returns
// nothing and sets `error` when a variable is undefined or malformed; the
// message names the variable, never a value.
std::optional<std::string> expand_env(std::string_view text, std::string& error);

// kFerryKeys leaves each stage's config as written (see DefinitionUse).
enum class EnvScope { kEverything, kFerryKeys };

// Expands every string value under `value` (object keys are left alone),
// appending one issue per failing string at its JSON Pointer.
void substitute_env(boost::json::value& value, const std::string& path, std::vector<DefinitionIssue>& issues,
                    EnvScope scope = EnvScope::kEverything);

}  // namespace ferry::core::pipeline_internal
