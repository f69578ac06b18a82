// Workers of one run share one stop, one run record and one lineage.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "support/scenario_env.h"

namespace {

using ferry::test::ScenarioDir;
using ferry::test::sqlite_rows;

size_t rows_of(const ScenarioDir& d, const std::string& partition) {
  auto r = sqlite_rows(d.file("tx.db"), "SELECT count(*) FROM rows WHERE partition = '" + partition + "'");
  return r.empty() ? 0 : std::stoul(r[0][0]);
}

// A checkpoint hook on p0's worker says STOP while p1's worker is parked in
// a write: that worker finishes its batch and stops too, and nobody starts
// p2 or p3.
TEST(ParallelRun, AHookStopStopsEveryWorker) {
  ScenarioDir d;
  const std::string gate = d.file("gate");
  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 200, "partitions": 4}},
    "batch": {"max_records": 10}, "parallelism": 2,
    "sinks": [{"name": "tx", "plugin": "scenario", "config": {"block_file": ")" + gate +
           R"(", "block_partition": "p1"}}],
    "hooks": {"checkpoint": [{"name": "stopper", "plugin": "scenario", "config": {"stop_on_partition": "p0"}}]}})");
  ferry::test::Process run({FERRY_TEST_BINARY, "--plugin-path", FERRY_TEST_FIXTURE_DIR, "run", "--no-progress",
                            d.pipeline_file()},
                           {}, d.file("out"), d.file("err"));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while ((rows_of(d, "p0") == 0 || !std::filesystem::exists(gate + ".waiting")) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ferry::test::write_file(gate, "");
  auto [code, sig] = run.wait();
  EXPECT_EQ(code, 0) << ferry::test::slurp(d.file("err"));
  EXPECT_EQ(rows_of(d, "p0"), 10u);
  EXPECT_LE(rows_of(d, "p1"), 10u);
  EXPECT_EQ(rows_of(d, "p2"), 0u);
  EXPECT_EQ(rows_of(d, "p3"), 0u);
  EXPECT_NE(ferry::test::slurp(d.file("out")).find("stopped"), std::string::npos) << ferry::test::slurp(d.file("out"));
}

// Lineage batch ids name one batch each, across workers.
TEST(ParallelRun, LineageBatchIdsAreUniqueAcrossWorkers) {
  ScenarioDir d;
  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 50, "partitions": 4}},
    "batch": {"max_records": 10}, "parallelism": 2, "lineage": true,
    "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "out.db", "table": "t"}}]})");
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto batches = sqlite_rows(d.file("out.db"), "SELECT ferry_batch_id, count(DISTINCT part) FROM t GROUP BY 1");
  EXPECT_EQ(batches.size(), 20u);
  for (const auto& b : batches) EXPECT_EQ(b[1], "1") << "batch id " << b[0] << " names rows of two partitions";
}

// An errant record the source reports while the run plans its partitions
// reaches the DLQ like any other.
TEST(ParallelRun, ErrantRecordsFromPlanningAreKept) {
  ScenarioDir d;
  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 20, "partitions": 2, "errant_in_partitions": true}},
    "batch": {"max_records": 10}, "parallelism": 2,
    "sinks": [{"name": "tx", "plugin": "scenario", "config": {}}]})");
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto dlq = d.dlq();
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(dlq[0].stage, "source");
  EXPECT_NE(dlq[0].message.find("listing entry 0"), std::string::npos);
  // Listed once per run, stored once.
  ASSERT_EQ(d.run().exit_code, 0);
  EXPECT_EQ(d.dlq().size(), 1u);
}

}  // namespace
