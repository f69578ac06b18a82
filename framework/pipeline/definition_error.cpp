// DefinitionError: one exception carrying every issue, so a user fixes the
// whole file in one round instead of one error per run.
#include "pipeline/definition.h"

#include <utility>

namespace ferry::core {
namespace {

std::string first_issue_text(const std::string& file, const std::vector<DefinitionIssue>& issues) {
  const std::string shown = file.empty() ? std::string("pipeline definition") : file;
  if (issues.empty()) {
    return shown + ": invalid pipeline definition";
  }
  const DefinitionIssue& first = issues.front();
  if (first.path.empty()) {
    return shown + ": " + first.message;
  }
  return shown + ": " + first.path + ": " + first.message;
}

}  // namespace

DefinitionError::DefinitionError(std::string file, std::vector<DefinitionIssue> issues)
    : Error(first_issue_text(file, issues)), file_(std::move(file)), issues_(std::move(issues)) {}

}  // namespace ferry::core
