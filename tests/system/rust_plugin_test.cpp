// The Rust example (examples/plugin-rust, built with cargo and no crates)
// passes the conformance kit and runs in a pipeline: the ABI is
// language-neutral.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

const std::string kPluginDir = FERRY_TEST_FIXTURE_DIR "/rust";

TEST(RustPlugin, PassesTheConformanceKit) {
  ferry::test::TempDir dir;
  const std::string tsv = dir.file("check.tsv");
  const auto r = ferry::test::run_process({FERRY_TEST_BINARY, "plugin", "check", kPluginDir + "/ferry-rust-tsv.so",
                                           "--config", R"({"path": ")" + tsv + R"("})", "--count-rows",
                                           "tail -n +2 '" + tsv + "' 2>/dev/null | wc -l"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("0 of 13 checks failed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sink: commits once                 pass"), std::string::npos) << r.out;
  // What the kit committed (rows 4-6, not the aborted 1-3), escaped as TSV.
  EXPECT_EQ(ferry::test::read_file(dir.file("check.tsv")), "id\tname\n4\trow-4\n5\trow-5\n6\trow-6\n");
}

TEST(RustPlugin, RunsInAPipelineAndResumesWithoutDuplicates) {
  ferry::test::TempDir dir;
  std::filesystem::copy_file(FERRY_SOURCE_DIR "/examples/plugin-rust/pipeline.json", dir.file("pipeline.json"));
  auto run = [&] {
    return ferry::test::run_process(
        {FERRY_TEST_BINARY, "--plugin-path", kPluginDir, "run", "--no-progress", dir.file("pipeline.json")});
  };
  auto first = run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto again = run();  // everything committed: nothing more to write
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const std::string tsv = ferry::test::read_file(dir.file("rows.tsv"));
  EXPECT_EQ(std::count(tsv.begin(), tsv.end(), '\n'), 1001) << "a header and 1,000 rows, once";
  EXPECT_EQ(tsv.substr(0, tsv.find('\n')), "id\tname\tamount\tts");
  EXPECT_NE(tsv.find("\n1000\tname-1000\t"), std::string::npos);
}

}  // namespace
