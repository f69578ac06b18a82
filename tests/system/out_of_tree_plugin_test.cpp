// The SDK as a third-party author gets it: install Ferry into a prefix,
// build examples/plugin-out-of-tree against that prefix alone with
// find_package(Ferry), and run the installed `ferry` with the new plugin.
#include <gtest/gtest.h>

#include <sstream>

#include "support/negotiation_probe.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

ferry::test::ProcessResult sh(const std::string& command) {
  return ferry::test::run_process({"/bin/sh", "-c", command});
}

}  // namespace

TEST(OutOfTreePlugin, BuildsAgainstTheInstalledSdkAndRuns) {
  ferry::test::TempDir dir;
  std::string prefix = dir.file("prefix");
  auto install = sh("cmake --install '" FERRY_BINARY_DIR "' --prefix '" + prefix + "' 2>&1");
  ASSERT_EQ(install.exit_code, 0) << install.out;
  for (const char* f : {"/bin/ferry", "/include/ferry/plugin.h", "/include/ferry/plugin.hpp",
                        "/lib/cmake/Ferry/FerryConfig.cmake", "/lib/pkgconfig/ferry.pc",
                        "/lib/ferry/plugins/ferry-sqlite.so"})
    EXPECT_TRUE(std::filesystem::exists(prefix + f)) << f;

  // Copy the example so the build sees nothing of the source tree.
  std::string src = dir.file("plugin-src");
  std::filesystem::copy(FERRY_SOURCE_DIR "/examples/plugin-out-of-tree", src);
  std::string build = dir.file("plugin-build");
  auto configure = sh("cmake -S '" + src + "' -B '" + build + "' -DCMAKE_PREFIX_PATH='" + prefix +
                      "' -DCMAKE_C_FLAGS='-Wall -Wextra -Werror' 2>&1");
  ASSERT_EQ(configure.exit_code, 0) << configure.out;
  auto compile = sh("cmake --build '" + build + "' 2>&1");
  ASSERT_EQ(compile.exit_code, 0) << compile.out;

  // Only the two Ferry symbols are exported.
  auto symbols = sh("nm -D --defined-only '" + build + "/ferry-tsv.so' | awk '{print $3}' | sort");
  EXPECT_EQ(symbols.out, "ferry_plugin_descriptor\nferry_plugin_init\n");
  // An older host's table is shorter: the example fills only what it is offered.
  for (const std::string& problem : ferry::test::negotiation_problems(build + "/ferry-tsv.so"))
    ADD_FAILURE() << "tsv example: " << problem;

  std::string ferry = prefix + "/bin/ferry";
  auto listed = ferry::test::run_process({ferry, "--plugin-path", build, "plugins"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("tsv "), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("generator"), std::string::npos) << "bundled plugins found from the prefix";

  auto run = ferry::test::run_process({ferry, "--plugin-path", build, "run", "--no-progress", src + "/pipeline.json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::string tsv = ferry::test::read_file(src + "/rows.tsv");
  std::istringstream in(tsv);
  std::string header, first;
  std::getline(in, header);
  std::getline(in, first);
  EXPECT_EQ(header, "id\tname\tamount\tts");
  EXPECT_EQ(first.substr(0, 9), "1\tname-1\t");
  EXPECT_EQ(std::count(tsv.begin(), tsv.end(), '\n'), 1001);
}

// pkg-config alone, from an install made with --prefix: ferry.pc derives
// its paths from where it lies, and names the export map.
TEST(OutOfTreePlugin, BuildsWithPlainCcAndPkgConfigFromAnInstalledPrefix) {
  ferry::test::TempDir dir;
  const std::string prefix = dir.file("prefix");
  auto install = sh("cmake --install '" FERRY_BINARY_DIR "' --prefix '" + prefix + "' 2>&1");
  ASSERT_EQ(install.exit_code, 0) << install.out;
  // Moved after installing: nothing may point at the old place.
  const std::string moved = dir.file("moved");
  std::filesystem::rename(prefix, moved);
  const std::string pc = "PKG_CONFIG_PATH='" + moved + "/lib/pkgconfig' pkg-config ";

  auto cflags = sh(pc + "--cflags ferry");
  ASSERT_EQ(cflags.exit_code, 0) << cflags.err;
  const std::string include = cflags.out.substr(2, cflags.out.find(' ') - 2);  // "-I<dir> ..."
  ASSERT_EQ(cflags.out.rfind("-I", 0), 0u) << cflags.out;
  EXPECT_TRUE(std::filesystem::exists(include + "/ferry/plugin.h")) << cflags.out;
  EXPECT_EQ(std::filesystem::canonical(include), std::filesystem::canonical(moved + "/include")) << cflags.out;
  auto plugindir = sh(pc + "--variable=plugindir ferry");
  EXPECT_TRUE(std::filesystem::exists(plugindir.out.substr(0, plugindir.out.find('\n')) + "/ferry-sqlite.so"))
      << plugindir.out;
  auto map = sh(pc + "--variable=exports_map ferry");
  EXPECT_TRUE(std::filesystem::is_regular_file(map.out.substr(0, map.out.find('\n')))) << map.out;

  const std::string src = dir.file("plugin-src");
  std::filesystem::copy(FERRY_SOURCE_DIR "/examples/plugin-out-of-tree", src);
  const std::string out = dir.file("plain");
  std::filesystem::create_directory(out);
  auto compile = sh("cc -std=c99 -Wall -Wextra -Werror -shared -fPIC $(" + pc + "--cflags ferry) '" + src +
                    "/tsv_sink.c' -o '" + out + "/ferry-tsv.so' -Wl,--version-script=\"$(" + pc +
                    "--variable=exports_map ferry)\" 2>&1");
  ASSERT_EQ(compile.exit_code, 0) << compile.out;
  auto symbols = sh("nm -D --defined-only '" + out + "/ferry-tsv.so' | awk '{print $3}' | sort");
  EXPECT_EQ(symbols.out, "ferry_plugin_descriptor\nferry_plugin_init\n");
  for (const std::string& problem : ferry::test::negotiation_problems(out + "/ferry-tsv.so"))
    ADD_FAILURE() << "tsv example: " << problem;

  // The conformance kit, from the installed ferry.
  auto kit = ferry::test::run_process({moved + "/bin/ferry", "plugin", "check", out + "/ferry-tsv.so", "--config",
                                       "{\"path\": \"" + dir.file("kit.tsv") + "\"}"});
  EXPECT_EQ(kit.exit_code, 0) << kit.out << kit.err;
  EXPECT_EQ(ferry::test::read_file(dir.file("kit.tsv")), "id\tname\n4\trow-4\n5\trow-5\n6\trow-6\n")
      << "the header once, and only the committed rows";

  auto run = ferry::test::run_process(
      {moved + "/bin/ferry", "--plugin-path", out, "run", "--no-progress", src + "/pipeline.json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string tsv = ferry::test::read_file(src + "/rows.tsv");
  EXPECT_EQ(std::count(tsv.begin(), tsv.end(), '\n'), 1001);
}
