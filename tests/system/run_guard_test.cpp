// One run at a time per pipeline state: a second `ferry run` (or replay, or
// backfill) refuses and names the holder; a holder that died releases it,
// and its run is then recorded as failed instead of "running" forever.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "support/scenario_env.h"

namespace {

using ferry::test::ScenarioDir;

std::string pipeline(const std::string& sink_extra) {
  return R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 30}},
    "batch": {"max_records": 10},
    "sinks": [{"name": "tx", "plugin": "scenario", "config": {)" +
         sink_extra + "}}]}";
}

// Waits (with a deadline that only matters when the test fails) for `path`.
bool wait_for_file(const std::string& path) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::filesystem::exists(path)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST(RunGuard, ASecondRunOfThePipelineRefusesAndNamesTheHolder) {
  ScenarioDir d;
  const std::string gate = d.file("gate");
  d.define(pipeline(R"("block_file": ")" + gate + R"(")"));
  ferry::test::Process first({FERRY_TEST_BINARY, "--plugin-path", FERRY_TEST_FIXTURE_DIR, "run", "--no-progress",
                              d.pipeline_file()},
                             {}, d.file("first.out"), d.file("first.err"));
  ASSERT_TRUE(wait_for_file(gate + ".waiting")) << "the first run never reached its sink";

  // The first run holds the pipeline, parked inside its first write.
  ferry::test::Process second({FERRY_TEST_BINARY, "--plugin-path", FERRY_TEST_FIXTURE_DIR, "run", "--no-progress",
                               d.pipeline_file()},
                              {}, d.file("second.out"), d.file("second.err"));
  std::pair<int, int> second_result{-2, 0};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!second.finished(&second_result) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ferry::test::write_file(gate, "");  // let the first run finish (and a second that did not refuse)
  if (second_result.first == -2) second_result = second.wait();
  auto first_result = first.wait();

  EXPECT_EQ(first_result.first, 0) << ferry::test::slurp(d.file("first.err"));
  EXPECT_EQ(second_result.first, 1) << "the second run did not refuse";
  const std::string err = ferry::test::slurp(d.file("second.err"));
  EXPECT_NE(err.find("is already running"), std::string::npos) << err;
  EXPECT_NE(err.find("pid " + std::to_string(first.pid())), std::string::npos) << err;
  auto rows = d.sink("tx");
  EXPECT_EQ(rows.total(), 30u) << "rows were written twice";
  EXPECT_EQ(rows.values.size(), 30u);
}

TEST(RunGuard, ARunThatDiedReleasesThePipelineAndIsRecordedAsFailed) {
  ScenarioDir d;
  d.define(pipeline(R"("crash_point": "before_commit", "crash_at": 2)"));
  ASSERT_EQ(d.run().exit_code, 86);
  // Nobody holds the pipeline now: status says what became of the run.
  auto status = d.ferry_cmd("status", {"--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(status.out.find("\"status\":\"running\""), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("\"status\":\"failed\""), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("\"held_by\":null"), std::string::npos) << status.out;

  d.define(pipeline(""));
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(d.sink("tx").total(), 30u);
  for (const auto& run : d.state()->list_runs("sc", 10))
    EXPECT_NE(run.status, ferry::core::RunStatus::Running) << run.id;
}

}  // namespace
