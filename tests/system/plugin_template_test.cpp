// The plugin template (examples/plugin-template) as an author uses it:
// copied out of the tree, built against an installed Ferry with CMake, and
// its own tests (the conformance kit and a pipeline run twice) pass.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

TEST(PluginTemplate, BuildsAgainstAnInstalledFerryAndPassesItsOwnChecks) {
  ferry::test::TempDir dir;
  const std::string prefix = dir.file("prefix");
  auto install = ferry::test::run_process({"/bin/sh", "-c", "exec cmake --install \"$0\" --prefix \"$1\"",
                                           FERRY_BINARY_DIR, prefix});
  ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
  const std::string src = dir.file("my-plugin");
  std::filesystem::copy(FERRY_SOURCE_DIR "/examples/plugin-template", src);
  auto check = ferry::test::run_process({src + "/check.sh", prefix});
  ASSERT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("100% tests passed, 0 tests failed out of 5"), std::string::npos) << check.out;
}

}  // namespace
