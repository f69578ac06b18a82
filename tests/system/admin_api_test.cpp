// The admin API of a real `ferry run` and `ferry serve`, exercised with curl:
// every endpoint, the bearer token, refusal to reset a running pipeline,
// pause and resume, and /metrics checked by promtool.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>

#include <boost/json.hpp>

#include "support/admin_probe.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::TempDir;

struct Http {
  int status = 0;
  std::string body;
};

Http curl(const std::string& method, const std::string& url, const std::string& token = "",
          const std::string& body = "") {
  std::vector<std::string> argv{"/usr/bin/curl", "-s", "-m", "60", "-X", method, "-w", "\n%{http_code}"};
  if (!token.empty()) argv.insert(argv.end(), {"-H", "Authorization: Bearer " + token});
  if (!body.empty()) argv.insert(argv.end(), {"-d", body});
  argv.push_back(url);
  auto r = ferry::test::run_process(argv);
  Http h;
  size_t nl = r.out.rfind('\n');
  if (nl == std::string::npos) return h;
  h.status = std::atoi(r.out.c_str() + nl + 1);
  h.body = r.out.substr(0, nl);
  return h;
}

boost::json::value json(const Http& h) { return boost::json::parse(h.body); }

const char* kToken = "s3cr3t-admin-token";

std::string pipeline_json() {
  return R"({"name": "adm", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 2000000}},
    "batch": {"max_records": 200},
    "sinks": [{"name": "out", "plugin": "fault", "config": {"dir": ".", "reject_keys": ["7"]}}]})";
}

using ferry::test::admin_port;
using ferry::test::metric;
using ferry::test::wait_until;

const char* kPosition = "ferry_partition_position{pipeline=\"adm\",partition=\"p0\"}";
const char* kRead = "ferry_records_read_total{pipeline=\"adm\"}";

}  // namespace

TEST(AdminApi, EveryEndpointOfARunningPipelineAndOfServe) {
  TempDir dir;
  ferry::test::write_file(dir.file("p.json"), pipeline_json());
  std::string token_env = std::string("FERRY_ADMIN_TOKEN=") + kToken;
  ferry::test::Process run({FERRY_TEST_BINARY, "--plugin-path", FERRY_TEST_FIXTURE_DIR, "run", "--no-progress",
                            "--rate", "4000", "--admin", "127.0.0.1:0", "--admin-token-env", "FERRY_ADMIN_TOKEN",
                            dir.file("p.json")},
                           {token_env}, dir.file("run.out"), dir.file("run.err"));
  const int port = admin_port(run, dir.file("run.err"));
  ASSERT_NE(port, 0) << ferry::test::slurp(dir.file("run.err"));
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  // Wait until a few batches committed, the one holding key 7 among them.
  Http metrics;
  const bool committed = wait_until([&] {
    metrics = curl("GET", base + "/metrics", kToken);
    return metric(metrics.body, kPosition) >= 600 &&
           metric(metrics.body, "ferry_dlq_records{pipeline=\"adm\",status=\"pending\"}") == 1;
  });
  ASSERT_TRUE(committed) << metrics.body << ferry::test::slurp(dir.file("run.err"));

  // The token is required everywhere, /metrics included.
  EXPECT_EQ(curl("GET", base + "/metrics").status, 401);
  EXPECT_EQ(curl("GET", base + "/pipelines", "wrong").status, 401);
  EXPECT_EQ(curl("DELETE", base + "/pipelines/adm/checkpoints").status, 401);

  ASSERT_EQ(metrics.status, 200);
  for (const char* m : {"ferry_records_read_total{pipeline=\"adm\"}", "ferry_records_written_total{pipeline=\"adm\",sink=\"out\"}",
                        "ferry_batches_total", "ferry_plugin_call_seconds_bucket", "ferry_checkpoint_age_seconds",
                        "ferry_partition_position{pipeline=\"adm\",partition=\"p0\"}",
                        "ferry_dlq_records{pipeline=\"adm\",status=\"pending\"} 1", "ferry_records_rejected_total"})
    EXPECT_NE(metrics.body.find(m), std::string::npos) << m << "\n" << metrics.body;
  // A plugin's own counter (counter_add), labelled with the stage that kept it.
  const std::string plugin_counter =
      "ferry_plugin_events_total{pipeline=\"adm\",stage=\"out\",counter=\"fault_commits\"} ";
  const size_t at = metrics.body.find(plugin_counter);
  ASSERT_NE(at, std::string::npos) << metrics.body;
  EXPECT_GE(std::atof(metrics.body.c_str() + at + plugin_counter.size()), 1.0) << metrics.body;
  ferry::test::write_file(dir.file("metrics.txt"), metrics.body);
  auto promtool = ferry::test::run_process({"/bin/sh", "-c", "promtool check metrics < " + dir.file("metrics.txt") + " 2>&1"});
  EXPECT_EQ(promtool.exit_code, 0) << promtool.out;

  Http list = curl("GET", base + "/pipelines", kToken);
  EXPECT_EQ(json(list).at("pipelines").at(0).at("name").as_string(), "adm");
  EXPECT_EQ(json(list).at("pipelines").at(0).at("state").as_string(), "running");
  Http one = curl("GET", base + "/pipelines/adm", kToken);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(json(one).at("state").as_string(), "running");
  EXPECT_EQ(curl("GET", base + "/pipelines/nope", kToken).status, 404);
  Http cps = curl("GET", base + "/pipelines/adm/checkpoints", kToken);
  ASSERT_EQ(cps.status, 200);
  EXPECT_EQ(json(cps).at("checkpoints").at(0).at("partition").as_string(), "p0");
  Http dlq = curl("GET", base + "/pipelines/adm/dlq?status=pending", kToken);
  ASSERT_EQ(dlq.status, 200);
  EXPECT_EQ(json(dlq).at("entries").at(0).at("key").as_string(), "7");
  EXPECT_EQ(curl("GET", base + "/pipelines/adm/dlq?status=bogus", kToken).status, 400);

  // Refused while running.
  Http reset = curl("DELETE", base + "/pipelines/adm/checkpoints", kToken);
  EXPECT_EQ(reset.status, 409);
  EXPECT_NE(reset.body.find("is running"), std::string::npos) << reset.body;
  EXPECT_EQ(curl("DELETE", base + "/pipelines/adm/checkpoints/p0", kToken).status, 409);
  EXPECT_EQ(curl("POST", base + "/pipelines/adm/replay", kToken).status, 409);

  // Pause holds the pipeline between batches; resume lets it go on. The
  // reader checks the flag before each read, and what it read before still
  // commits: the run is held once every record read is committed, i.e. the
  // checkpoint's position (the generator's last id) equals the records read.
  // One scrape shows both, the position read first.
  ASSERT_EQ(curl("POST", base + "/pipelines/adm/pause", kToken).status, 200);
  EXPECT_EQ(json(curl("GET", base + "/pipelines/adm", kToken)).at("state").as_string(), "paused");
  double held = -1;
  const bool drained = wait_until([&] {
    metrics = curl("GET", base + "/metrics", kToken);
    held = metric(metrics.body, kPosition);
    return held > 0 && held == metric(metrics.body, kRead);
  });
  ASSERT_TRUE(drained) << metrics.body;
  auto position = [&] { return metric(curl("GET", base + "/metrics", kToken).body, kPosition); };
  // Not a synchronisation: a window in which a run that ignored the pause
  // would move (at 4000 records/s, a batch every 50 ms). A held run passes
  // however long the machine takes.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(position(), held) << "the pipeline moved while paused";
  EXPECT_EQ(json(curl("GET", base + "/pipelines/adm", kToken)).at("state").as_string(), "paused");
  ASSERT_EQ(curl("POST", base + "/pipelines/adm/resume", kToken).status, 200);
  EXPECT_TRUE(wait_until([&] { return position() > held; })) << "the pipeline did not resume";

  run.kill_now(SIGINT);
  auto [code, sig] = run.wait();
  EXPECT_EQ(code, 130) << ferry::test::slurp(dir.file("run.err"));
  EXPECT_EQ(ferry::test::slurp(dir.file("run.err")).find(kToken), std::string::npos);

  // `ferry serve`: the same API over the stored state, where a reset and a
  // replay are allowed.
  ferry::test::Process serve({FERRY_TEST_BINARY, "--plugin-path", FERRY_TEST_FIXTURE_DIR, "serve", dir.file("p.json"),
                              "--admin", "127.0.0.1:0"},
                             {}, dir.file("serve.out"), dir.file("serve.err"));
  const int port2 = admin_port(serve, dir.file("serve.err"));
  ASSERT_NE(port2, 0) << ferry::test::slurp(dir.file("serve.err"));
  const std::string base2 = "http://127.0.0.1:" + std::to_string(port2);
  EXPECT_EQ(json(curl("GET", base2 + "/pipelines/adm", "")).at("state").as_string(), "idle");
  Http replay = curl("POST", base2 + "/pipelines/adm/replay", "");
  EXPECT_EQ(replay.status, 202) << replay.body;
  Http after;
  ASSERT_TRUE(wait_until([&] {
    after = curl("GET", base2 + "/pipelines/adm", "");
    return json(after).as_object().contains("last_replay");
  })) << after.body;
  // The fault sink still refuses key 7, so the entry fails again.
  EXPECT_EQ(json(after).at("last_replay").as_string(), "replay incomplete: resolved 0, failed again 1, not replayable 0");
  // A reset would read that record again beside its open entry: refused
  // until the entry is settled (here discarded).
  Http refused = curl("DELETE", base2 + "/pipelines/adm/checkpoints/p0", "");
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_NE(refused.body.find("not resetting: 1 open DLQ entry"), std::string::npos) << refused.body;
  const int64_t open_id =
      json(curl("GET", base2 + "/pipelines/adm/dlq?status=failed_again", "")).at("entries").at(0).at("id").as_int64();
  EXPECT_EQ(curl("POST", base2 + "/pipelines/adm/dlq/discard", "", "{\"ids\":[" + std::to_string(open_id) + "]}").status,
            200);
  Http del = curl("DELETE", base2 + "/pipelines/adm/checkpoints/p0", "");
  EXPECT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(json(del).at("removed").as_int64(), 1);
  EXPECT_EQ(curl("DELETE", base2 + "/pipelines/adm/checkpoints/p0", "").status, 404);
  serve.kill_now(SIGTERM);
  auto [serve_code, serve_sig] = serve.wait();
  EXPECT_EQ(serve_code, 0) << ferry::test::slurp(dir.file("serve.err"));
}

TEST(AdminApi, AnAddressInUseFailsTheCommandBeforeAnyDataMoves) {
  TempDir dir;
  ferry::test::write_file(dir.file("p.json"), pipeline_json());
  ferry::test::Process first({FERRY_TEST_BINARY, "--plugin-path", FERRY_TEST_FIXTURE_DIR, "serve", dir.file("p.json"),
                              "--admin", "127.0.0.1:0"},
                             {}, dir.file("a.out"), dir.file("a.err"));
  const int port = admin_port(first, dir.file("a.err"));
  ASSERT_NE(port, 0) << ferry::test::slurp(dir.file("a.err"));
  auto second = ferry::test::ferry({"run", "--no-progress", "--admin", "127.0.0.1:" + std::to_string(port),
                                    dir.file("p.json")});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("Address already in use"), std::string::npos) << second.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("rows.txt")));
  first.kill_now(SIGTERM);
  first.wait();
}

// An address that does not parse is a bad command line (exit 2), named,
// and nothing moves.
TEST(AdminApi, AnAddressThatDoesNotParseIsAUsageError) {
  TempDir dir;
  ferry::test::write_file(dir.file("p.json"), R"({"name": "bad", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 10}},
    "sinks": [{"name": "out", "plugin": "fault", "config": {"dir": "."}}]})");
  for (const std::string address : {"foo:bar", "127.0.0.1:99999"}) {
    auto r = ferry::test::ferry({"run", "--no-progress", "--admin", address, dir.file("p.json")});
    EXPECT_EQ(r.exit_code, 2) << address << ": " << r.err;
    EXPECT_NE(r.err.find(address), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir.file("rows.txt"))) << address;
  }
}

TEST(AdminApi, BeyondLoopbackWithoutATokenIsRefusedUnlessToldTwice) {
  TempDir dir;
  ferry::test::write_file(dir.file("p.json"), R"({"name": "open", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 10}},
    "sinks": [{"name": "out", "plugin": "fault", "config": {"dir": "."}}]})");
  auto refused = ferry::test::ferry({"run", "--no-progress", "--admin", "0.0.0.0:0", dir.file("p.json")});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("without a token"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--admin-insecure"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("rows.txt"))) << "no data moves before the refusal";

  auto insecure = ferry::test::ferry({"run", "--no-progress", "--admin", "0.0.0.0:0", "--admin-insecure", dir.file("p.json")});
  EXPECT_EQ(insecure.exit_code, 0) << insecure.err;
  EXPECT_NE(insecure.err.find("admin API on http://0.0.0.0:"), std::string::npos) << insecure.err;

  auto with_token = ferry::test::ferry({"run", "--no-progress", "--admin", "0.0.0.0:0", "--admin-token-env", "ADMIN_TOKEN",
                                        dir.file("p.json")},
                                       {"ADMIN_TOKEN=" + std::string(kToken)});
  EXPECT_EQ(with_token.exit_code, 0) << with_token.err;
}

// A replay and a backfill serve the same admin API as a run: /metrics,
// the pipeline's state and pause. The sink parks its first write until the
// test creates a file, so the command is certainly still running while the
// test asks.
TEST(AdminApi, ReplayAndBackfillServeMetricsAndPauseToo) {
  auto pipeline = [](const TempDir& dir, const std::string& min, bool block) {
    return R"({"name": "adm", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "generator", "config": {"count": 50}},
      "transforms": [{"name": "check", "plugin": "validate", "config": {"rules": {"amount": {"min": )" + min + R"(}}}}],
      "sinks": [{"name": "s0", "plugin": "scenario", "config": {"dir": ".", "block_file": ")" +
           (block ? dir.file("go") : std::string()) + R"("}}]})";
  };
  for (const std::string command : {"replay", "backfill"}) {
    TempDir dir;
    if (command == "replay") {
      // Every record refused first, so the replay has 50 to deliver.
      ferry::test::write_file(dir.file("p.json"), pipeline(dir, "1000000000000", false));
      ASSERT_EQ(ferry::test::ferry({"run", "--no-progress", dir.file("p.json")}).exit_code, 0);
    }
    ferry::test::write_file(dir.file("p.json"), pipeline(dir, "0", true));
    std::vector<std::string> argv{FERRY_TEST_BINARY, "--plugin-path", FERRY_TEST_FIXTURE_DIR, command, "--no-progress",
                                  "--admin", "127.0.0.1:0", dir.file("p.json")};
    if (command == "backfill") argv.insert(argv.end(), {"--from", "2026-01-01", "--to", "2026-01-02"});
    ferry::test::Process p(argv, {}, dir.file("out"), dir.file("err"));
    const int port = admin_port(p, dir.file("err"));
    ASSERT_NE(port, 0) << ferry::test::slurp(dir.file("err"));
    ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(dir.file("go.waiting")); }))
        << ferry::test::slurp(dir.file("err"));
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    const Http metrics = curl("GET", base + "/metrics");
    EXPECT_EQ(metrics.status, 200) << command;
    EXPECT_NE(metrics.body.find("ferry_"), std::string::npos) << command << ": " << metrics.body;
    EXPECT_EQ(curl("POST", base + "/pipelines/adm/pause").status, 200) << command;
    EXPECT_EQ(json(curl("GET", base + "/pipelines/adm")).at("state").as_string(), "paused") << command;
    EXPECT_EQ(curl("POST", base + "/pipelines/adm/resume").status, 200) << command;
    ferry::test::write_file(dir.file("go"), "");
    EXPECT_EQ(p.wait().first, 0) << command << ": " << ferry::test::slurp(dir.file("err"));
  }
}
