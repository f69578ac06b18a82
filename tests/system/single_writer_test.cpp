// A sink that takes one writer at a time (FERRY_CAP_SINGLE_WRITER, ABI 1.7)
// gets one instance per run, and one batch at a time, however many workers
// read: every worker's batches are funnelled through it, instead of racing
// for the sink's own lock.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "support/scenario_env.h"

namespace {

using ferry::test::ScenarioDir;
using ferry::test::sqlite_rows;

// The fixture fails the run if a second instance opens, two calls overlap,
// or batches of two partitions interleave in one transaction.
TEST(SingleWriter, EveryWorkerWritesThroughOneInstanceOneBatchAtATime) {
  ScenarioDir d;
  d.define(R"({"name": "sw", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 500, "partitions": 8}},
    "batch": {"max_records": 7}, "parallelism": 4,
    "sinks": [{"name": "one", "plugin": "single-writer", "config": {"dir": ")" +
           d.file("") + R"("}}]})");
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("on 4 worker(s)"), std::string::npos) << "the run was not parallel: " << r.err;

  std::istringstream rows(ferry::test::slurp(d.file("rows.txt")));
  std::map<std::string, int> per_partition;
  std::set<std::string> keys;
  size_t lines = 0;
  for (std::string line; std::getline(rows, line); ++lines) {
    const auto tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    ++per_partition[line.substr(0, tab)];
    EXPECT_TRUE(keys.insert(line.substr(tab + 1)).second) << "written twice: " << line;
  }
  EXPECT_EQ(lines, 4000u);
  ASSERT_EQ(per_partition.size(), 8u);
  for (const auto& [partition, n] : per_partition) EXPECT_EQ(n, 500) << partition;
}

// A record the shared instance reports as errant reaches the DLQ through
// the worker that was holding it, once, with its partition.
TEST(SingleWriter, AnErrantRecordFromTheSharedInstanceReachesTheDlq) {
  ScenarioDir d;
  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 100, "partitions": 4}},
    "batch": {"max_records": 9}, "parallelism": 2,
    "sinks": [{"name": "one", "plugin": "single-writer", "config": {"dir": ")" +
           d.file("") + R"(", "errant_key": "p2-50"}}]})");
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto dlq = d.dlq();
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(dlq[0].record_key, "p2-50");
  EXPECT_EQ(dlq[0].partition, "p2");
  EXPECT_NE(dlq[0].message.find("cannot take p2-50"), std::string::npos) << dlq[0].message;
  const std::string rows = ferry::test::slurp(d.file("rows.txt"));
  EXPECT_EQ(rows.find("p2-50\n"), std::string::npos);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 399);
}

// A shared sink that is down is found down once, with the retry policy's
// patience, not once per worker: the others take the answer (and the
// commit policy lets the run go on without it).
TEST(SingleWriter, ASharedSinkThatIsDownIsTriedByOneWorkerNotByEach) {
  ScenarioDir d;
  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 50, "partitions": 4}},
    "batch": {"max_records": 10}, "parallelism": 4, "commit_policy": "required",
    "sinks": [{"name": "one", "plugin": "single-writer", "required": false,
               "config": {"dir": ")" + d.file("") + R"(", "down": true},
               "retry": {"max_attempts": 3, "initial_delay_ms": 1, "multiplier": 1, "max_delay_ms": 60000}},
              {"name": "tx", "plugin": "scenario", "config": {}}]})");
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("on 4 worker(s)"), std::string::npos) << "the run was not parallel: " << r.err;
  const std::string opens = ferry::test::slurp(d.file("opens.txt"));
  EXPECT_EQ(std::count(opens.begin(), opens.end(), '\n'), 3) << "open attempts:\n" << opens;
  // Its rows wait in the DLQ, addressed to it.
  EXPECT_EQ(d.dlq().size(), 200u);
}

// SQLite takes one writer: with no busy wait, sink instances racing for its
// lock answer "locked, retry" (from open, switching to WAL, or from a
// write's BEGIN IMMEDIATE). Funnelled, nothing ever waits for the lock, and
// every row lands once.
TEST(SingleWriter, AParallelRunIntoSqliteNeverWaitsForItsLock) {
  ScenarioDir d;
  d.define(R"({"name": "sw", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 3000, "partitions": 6}},
    "batch": {"max_records": 50}, "parallelism": 3,
    "sinks": [{"name": "db", "plugin": "sqlite",
               "config": {"path": "out.db", "table": "t", "busy_timeout_ms": 0}}]})");
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("on 3 worker(s)"), std::string::npos) << "the run was not parallel: " << r.err;
  EXPECT_EQ(r.out.find("retries"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(r.err.find("database is locked"), std::string::npos) << r.err;
  auto counts = sqlite_rows(d.file("out.db"), "SELECT count(*), count(DISTINCT part || '-' || id) FROM t");
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0][0], "18000");
  EXPECT_EQ(counts[0][1], "18000");
}

// Two sinks of one pipeline on one SQLite file would each hold a write
// transaction until the batch commits, and SQLite takes one writer: the
// second would wait for the first on every batch and send its rows to the
// DLQ. The run refuses at open, naming both sinks and the file, before a
// row is read; sinks on files of their own are fine.
TEST(SingleWriter, TwoSqliteSinksOnOneFileAreRefused) {
  ScenarioDir d;
  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 20, "partitions": 2}},
    "batch": {"max_records": 5}, "parallelism": 1, "retry": {"max_attempts": 2, "max_elapsed_ms": 1000},
    "sinks": [{"name": "first", "plugin": "sqlite", "config": {"path": "same.db", "table": "t1"}},
              {"name": "second", "plugin": "sqlite", "config": {"path": "./sub/../same.db", "table": "t2"}}]})");
  std::filesystem::create_directories(d.file("sub"));
  // Refused with the definition now (ABI 1.12 destinations), before the
  // sink's own refusal at open.
  auto r = d.run();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("'first'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'second'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("same.db"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("give one of them another path"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("database is locked"), std::string::npos) << r.err;
  EXPECT_TRUE(d.dlq().empty());

  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 20, "partitions": 2}},
    "batch": {"max_records": 5}, "parallelism": 2,
    "sinks": [{"name": "first", "plugin": "sqlite", "config": {"path": "one.db", "table": "t1"}},
              {"name": "second", "plugin": "sqlite", "config": {"path": "two.db", "table": "t2"}}]})");
  auto ok = d.run();
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(sqlite_rows(d.file("one.db"), "SELECT count(*) FROM t1")[0][0], "40");
  EXPECT_EQ(sqlite_rows(d.file("two.db"), "SELECT count(*) FROM t2")[0][0], "40");
}

}  // namespace
