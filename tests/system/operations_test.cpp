// Operations end to end: parallel partitions, backfills that survive SIGKILL,
// dry runs, throttling, schema versions and lineage.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "state/state_store.h"
#include "support/kill_loop.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::TempDir;

std::string query(const std::string& db, const std::string& q) {
  sqlite3* h = nullptr;
  std::string out;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(h, q.c_str(), -1, &s, nullptr) == SQLITE_OK) {
      while (sqlite3_step(s) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(s); ++c) {
          if (c) out += "|";
          const unsigned char* t = sqlite3_column_text(s, c);
          out += t ? reinterpret_cast<const char*>(t) : "NULL";
        }
        out += "\n";
      }
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(h);
  return out;
}

ferry::core::DlqFilter dlq_filter(const std::string& pipeline,
                                  std::optional<ferry::core::DlqStatus> status = std::nullopt) {
  ferry::core::DlqFilter f;
  f.pipeline = pipeline;
  f.status = status;
  return f;
}

ferry::test::ProcessResult ferry_in(const TempDir& dir, const std::string& json, std::vector<std::string> args) {
  ferry::test::write_file(dir.file("p.json"), json);
  args.push_back(dir.file("p.json"));
  args.push_back("--no-progress");
  return ferry::test::ferry(args);
}

std::string eight_partitions(const std::string& parallelism) {
  return R"({"name": "par", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 80000, "partitions": 8}},
    "batch": {"max_records": 1000}, "parallelism": )" + parallelism + R"(,
    "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "t.db", "table": "t"}}]})";
}

// Order-independent digest of the whole table.
const char* kDigest =
    "SELECT count(*), count(DISTINCT id), sum(id), sum(length(name)), total(amount), sum(ts = ts) FROM t";

}  // namespace

TEST(Parallelism, ParallelAndSerialRunsOfEightPartitionsProduceIdenticalSinks) {
  TempDir serial, parallel, automatic;
  auto a = ferry_in(serial, eight_partitions("1"), {"run"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto b = ferry_in(parallel, eight_partitions("4"), {"run"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(b.err.find("running 8 partition(s) on 4 worker(s)"), std::string::npos) << b.err;
  auto c = ferry_in(automatic, eight_partitions("\"auto\""), {"run"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const std::string digest = query(serial.file("t.db"), kDigest);
  EXPECT_EQ(digest.substr(0, 12), "80000|80000|");
  EXPECT_EQ(query(parallel.file("t.db"), kDigest), digest);
  EXPECT_EQ(query(automatic.file("t.db"), kDigest), digest);
  // Row by row, not only in aggregate.
  EXPECT_EQ(query(parallel.file("t.db"), "SELECT * FROM t ORDER BY id"),
            query(serial.file("t.db"), "SELECT * FROM t ORDER BY id"));
  // One run record, eight checkpoints at the end of their partitions.
  auto state = ferry::core::open_sqlite_state(parallel.file("state.db"));
  EXPECT_EQ(state->list_runs("par", 10).size(), 1u);
  auto cps = state->list_checkpoints("par");
  ASSERT_EQ(cps.size(), 8u);
  for (const auto& cp : cps) EXPECT_EQ(cp.records, 10000) << cp.partition;
}

TEST(Parallelism, AnOrchestratorPluginSeesTheMachineAndPartitionsAndItsPlanIsFollowed) {
  TempDir serial, planned;
  ASSERT_EQ(ferry_in(serial, eight_partitions("1"), {"run"}).exit_code, 0);
  std::string json = eight_partitions("\"auto\"");
  json.insert(json.rfind('}'), R"(, "orchestrator": {"plugin": "test-orchestrator",
      "config": {"dir": ".", "workers": 2, "groups": 4}})");
  auto r = ferry_in(planned, json, {"run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("orchestrator 'test-orchestrator' planned 2 worker(s) for 4 group(s)"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("running 8 partition(s) on 2 worker(s)"), std::string::npos) << r.err;
  std::string plan = ferry::test::read_file(planned.file("plan.txt"));
  EXPECT_NE(plan.find("requested 0\n"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("cores 0\n"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("memory 0\n"), std::string::npos) << plan;
  for (int p = 0; p < 8; ++p)
    EXPECT_NE(plan.find("partition p" + std::to_string(p) + " 10000\n"), std::string::npos) << plan;
  EXPECT_EQ(query(planned.file("t.db"), "SELECT * FROM t ORDER BY id"),
            query(serial.file("t.db"), "SELECT * FROM t ORDER BY id"));
}

TEST(Backfill, ThirtyDailyWindowsKilledAtRandomResumeAndCompleteEachWindowOnce) {
  TempDir dir;
  ferry::test::write_file(dir.file("p.json"), R"({"name": "bf", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 2000, "partitions": 2}},
    "batch": {"max_records": 100},
    "sinks": [{"name": "db", "plugin": "sqlite",
               "config": {"path": "t.db", "table": "t", "mode": "upsert", "key": ["id"]}}]})");
  const std::vector<std::string> argv = {FERRY_TEST_BINARY, "backfill", dir.file("p.json"), "--from", "2026-01-01",
                                         "--to", "2026-01-31", "--no-progress"};
  // Killed ten times at points of its progress (support/kill_loop.h), then
  // left to finish.
  ferry::test::KillLoopSpec spec;
  spec.argv = argv;
  spec.out_file = dir.file("out");
  spec.err_file = dir.file("err");
  spec.total = 60000;
  spec.landed = [&] { return std::atoll(query(dir.file("t.db"), "SELECT count(*) FROM t").c_str()); };
  spec.seed = 30;
  const ferry::test::KillLoopResult r = ferry::test::kill_loop(spec);
  EXPECT_GE(r.kills, 10);
  EXPECT_NE(ferry::test::slurp(dir.file("out")).find("backfill of bf: 30 window(s)"), std::string::npos)
      << ferry::test::slurp(dir.file("out"));

  EXPECT_EQ(query(dir.file("t.db"), "SELECT count(*), count(DISTINCT id) FROM t"), "60000|60000\n");
  EXPECT_EQ(query(dir.file("t.db"), "SELECT count(DISTINCT id / 10000000) FROM t"), "30\n");
  // Every window holds exactly its 2,000 rows.
  EXPECT_EQ(query(dir.file("t.db"),
                  "SELECT count(*) FROM (SELECT id / 10000000 AS day, count(*) AS n FROM t GROUP BY day) "
                  "WHERE n = 2000"),
            "30\n");
  auto state = ferry::core::open_sqlite_state(dir.file("state.db"));
  auto windows = state->list_windows("bf");
  ASSERT_EQ(windows.size(), 30u);
  for (const auto& w : windows) {
    EXPECT_EQ(w.status, ferry::core::WindowStatus::Done) << w.window;
    // The ledger counts what the state store saw; a batch the sink committed
    // just before a kill is in the target but not in that count.
    EXPECT_GT(w.records, 0) << w.window;
    EXPECT_LE(w.records, 2000) << w.window;
    EXPECT_EQ(w.generation, 0) << w.window;
  }
  EXPECT_EQ(windows.front().window, "2026-01-01");
  EXPECT_EQ(windows.back().window, "2026-01-30");

  // A run over the same range does nothing; --redo does one window again,
  // and upsert absorbs it.
  auto again = ferry::test::run_process(argv);
  EXPECT_NE(again.out.find("0 run, 30 already done"), std::string::npos) << again.out;
  auto redo_argv = argv;
  redo_argv.insert(redo_argv.end(), {"--redo", "2026-01-15"});
  auto redo = ferry::test::run_process(redo_argv);
  ASSERT_EQ(redo.exit_code, 0) << redo.err;
  EXPECT_NE(redo.out.find("1 run, 29 already done, 2000 record(s)"), std::string::npos) << redo.out;
  EXPECT_EQ(query(dir.file("t.db"), "SELECT count(*), count(DISTINCT id) FROM t"), "60000|60000\n");
  for (const auto& w : state->list_windows("bf"))
    EXPECT_EQ(w.generation, w.window == "2026-01-15" ? 1 : 0) << w.window;
}

TEST(DryRun, RunReplayAndBackfillWriteNothingAndReportTheRightCounts) {
  TempDir dir;
  ferry::test::write_file(dir.file("in.jsonl"), "{\"id\":1}\n{\"id\":2}\nnot json\n{\"id\":3}\n");
  const std::string json = R"({"name": "dry", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "in.jsonl"}},
    "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "t.db", "table": "t"}}]})";
  auto r = ferry_in(dir, json, {"run", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dry run: dry: succeeded — read 4, written 3, rejected 1"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir.file("t.db")));
  // Not even an empty state file: a pipeline never run has none.
  EXPECT_FALSE(std::filesystem::exists(dir.file("state.db")));

  auto bf = ferry_in(dir, json, {"backfill", "--from", "2026-01-01", "--to", "2026-01-03", "--dry-run"});
  ASSERT_EQ(bf.exit_code, 0) << bf.err;
  EXPECT_NE(bf.out.find("dry run: backfill of dry: 2 window(s), 2 would run"), std::string::npos) << bf.out;
  EXPECT_FALSE(std::filesystem::exists(dir.file("state.db")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("t.db")));

  // A real run; a dry run after it stores nothing either.
  ASSERT_EQ(ferry_in(dir, json, {"run"}).exit_code, 0);
  auto state = ferry::core::open_sqlite_state(dir.file("state.db"));
  ASSERT_EQ(state->list_runs("dry", 10).size(), 1u);
  ASSERT_EQ(ferry_in(dir, json, {"run", "--dry-run"}).exit_code, 0);
  EXPECT_EQ(state->list_runs("dry", 10).size(), 1u);
  EXPECT_EQ(state->list_dlq(dlq_filter("dry")).size(), 1u);
  // A dry replay of its one DLQ entry (a raw line: not replayable).
  // It would not deliver that entry: incomplete, exit 1, as a replay whose
  // records would fail again.
  auto rp = ferry_in(dir, json, {"replay", "--dry-run"});
  ASSERT_EQ(rp.exit_code, 1) << rp.err;
  EXPECT_NE(rp.out.find("incomplete — selected 1, would resolve 0, would fail again 0, not replayable 1"),
            std::string::npos)
      << rp.out;
  EXPECT_NE(rp.err.find("1 record(s) not replayable"), std::string::npos) << rp.err;
  EXPECT_EQ(state->list_dlq(dlq_filter("dry", ferry::core::DlqStatus::Pending)).size(), 1u);
}

TEST(Throttling, Rate20000KeepsTheMeasuredRateWithinTenPercentOverTenSeconds) {
  TempDir dir;
  ferry::test::write_file(dir.file("p.json"), R"({"name": "rate", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 200000}},
    "batch": {"max_records": 500},
    "sinks": [{"name": "n", "plugin": "null"}]})");
  auto start = std::chrono::steady_clock::now();
  auto r = ferry::test::ferry({"run", "--no-progress", "--rate", "20000", dir.file("p.json")});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  double rate = 200000 / seconds;
  EXPECT_GT(rate, 18000) << seconds << " s";
  EXPECT_LT(rate, 22000) << seconds << " s";
}

TEST(SchemaVersions, AChangeMidStreamIsRecordedWithThePositionItBeganAfter) {
  TempDir dir;
  std::string lines;
  for (int i = 1; i <= 5; ++i) lines += "{\"id\":" + std::to_string(i) + ",\"name\":\"n" + std::to_string(i) + "\"}\n";
  const size_t change_at = lines.size();
  for (int i = 6; i <= 8; ++i)
    lines += "{\"id\":" + std::to_string(i) + ",\"name\":\"n" + std::to_string(i) + "\",\"extra\":true}\n";
  ferry::test::write_file(dir.file("in.jsonl"), lines);
  auto r = ferry_in(dir, R"({"name": "sv", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "in.jsonl"}},
    "batch": {"max_records": 5},
    "sinks": [{"name": "n", "plugin": "null"}]})", {"run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("schema changed to version"), std::string::npos) << r.err;
  auto state = ferry::core::open_sqlite_state(dir.file("state.db"));
  auto versions = state->list_schema_versions("sv");
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].began_after, "");
  EXPECT_EQ(versions[0].fields_json, R"([{"name":"id","type":"int64"},{"name":"name","type":"string"}])");
  EXPECT_EQ(versions[1].began_after, std::to_string(change_at) + ":5");
  EXPECT_EQ(versions[1].fields_json,
            R"([{"name":"id","type":"int64"},{"name":"name","type":"string"},{"name":"extra","type":"bool"}])");
  auto cp = state->load_checkpoint("sv", "in.jsonl");
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->schema_version, versions[1].version);
}

TEST(Lineage, LineageFieldsAreAddedToEveryRecord) {
  TempDir dir;
  auto r = ferry_in(dir, R"({"name": "lin", "state": {"type": "sqlite", "path": "state.db"}, "lineage": true,
    "source": {"plugin": "generator", "config": {"count": 30}},
    "batch": {"max_records": 10},
    "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "t.db", "table": "t"}}]})", {"run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(query(dir.file("t.db"),
                  "SELECT count(*), count(DISTINCT ferry_batch_id), count(DISTINCT ferry_run_id), "
                  "min(ferry_pipeline), sum(ferry_position = CAST(id AS TEXT)), count(ferry_ingested_at), "
                  "count(DISTINCT ferry_schema_version) FROM t"),
            "30|3|1|lin|30|30|1\n");
}
