// Ferry's plugin tests use the harness the SDK installs for authors
// (<ferry/testing/plugin_harness.hpp>), under the tests' namespace, plus
// where the bundled plugins are in the build tree.
#pragma once

#include <ferry/testing/plugin_harness.hpp>

#include <string>
#include <string_view>

namespace ferry::test {

using namespace ::ferry::testing;

#ifdef FERRY_TEST_PLUGIN_DIR
// Path of a bundled plugin in the build tree: plugin_path("sqlite").
inline std::string plugin_path(std::string_view name) {
  return std::string(FERRY_TEST_PLUGIN_DIR) + "/ferry-" + std::string(name) + ".so";
}
#endif

}  // namespace ferry::test
