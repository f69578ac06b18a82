// One line of `ferry plugin check`: what was checked, how it went, and
// what was seen when it did not pass.
#pragma once

#include <string>
#include <vector>

namespace ferry::core {

struct CheckResult {
  enum class Verdict { Pass, Fail, Skip };
  std::string name;
  Verdict verdict = Verdict::Pass;
  std::string detail;
};

using CheckResults = std::vector<CheckResult>;

inline CheckResult pass(std::string name, std::string detail = "") {
  return {std::move(name), CheckResult::Verdict::Pass, std::move(detail)};
}
inline CheckResult fail(std::string name, std::string detail) {
  return {std::move(name), CheckResult::Verdict::Fail, std::move(detail)};
}
inline CheckResult skip(std::string name, std::string detail) {
  return {std::move(name), CheckResult::Verdict::Skip, std::move(detail)};
}

}  // namespace ferry::core
