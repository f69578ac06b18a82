// Crash safety of the elasticsearch sink: `ferry run` is killed with SIGKILL
// at calibrated random moments while 200,000 records flow into the
// Elasticsearch stand-in, and restarted each time. The sink is not
// transactional: a restart re-delivers the batches after the last
// checkpoint. Because the document _id is the record key, the re-delivered
// documents overwrite themselves, and the index ends with exactly one
// document per source record.
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <functional>
#include <random>
#include <thread>

#include "es-server/es_test_server.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::EsTestServer;
using ferry::test::TempDir;
constexpr int64_t kRows = 200000;
constexpr int kKills = 10;

struct CrashLoopResult {
  int kills = 0;
  int restarts = 0;
  int kills_mid_data = 0;  // kills after some but not all documents had landed
};

int run_ms(const std::string& pipeline) {
  const auto start = std::chrono::steady_clock::now();
  auto r = ferry::test::run_process({FERRY_TEST_BINARY, "run", "--no-progress", pipeline});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count());
}

// Kills `ferry run` after a random 2-12% of an uninterrupted run's duration
// (measured first, so the kills land mid-run on fast and slow machines), ten
// times, then lets it finish.
CrashLoopResult crash_loop(const TempDir& dir, const std::string& pipeline, int full_ms, uint64_t seed,
                           const std::function<int64_t()>& landed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> delay_ms(std::max(1, full_ms / 50), std::max(2, full_ms * 12 / 100));
  CrashLoopResult result;
  for (int attempt = 0; attempt < 200; ++attempt) {
    ferry::test::Process p({FERRY_TEST_BINARY, "run", "--no-progress", pipeline}, {}, dir.file("out.txt"),
                           dir.file("err.txt"));
    ++result.restarts;
    if (result.kills >= kKills) {
      auto [code, sig] = p.wait();
      EXPECT_EQ(code, 0) << ferry::test::slurp(dir.file("err.txt"));
      return result;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms(rng));
    std::pair<int, int> status;
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if ((exited = p.finished(&status))) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (exited) {
      EXPECT_EQ(status.first, 0) << ferry::test::slurp(dir.file("err.txt"));
      return result;
    }
    p.kill_now(SIGKILL);
    p.wait();
    ++result.kills;
    const int64_t n = landed();
    if (n > 0 && n < kRows) ++result.kills_mid_data;
  }
  ADD_FAILURE() << "the pipeline never finished";
  return result;
}

std::string pipeline_json(const EsTestServer& es) {
  return R"({"name": "escrash", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 200000, "partitions": 2}},
    "batch": {"max_records": 500},
    "sinks": [{"name": "es", "plugin": "elasticsearch",
               "config": {"url": ")" + es.url() + R"(", "index": "orders", "max_bulk_records": 250}}]})";
}

}  // namespace

TEST(ElasticsearchCrash, EveryRecordIsOneDocumentAfterRepeatedSigkill) {
  EsTestServer es;
  int full_ms = 0;
  {
    TempDir scratch;
    ferry::test::write_file(scratch.file("p.json"), pipeline_json(es));
    full_ms = run_ms(scratch.file("p.json"));
    ASSERT_EQ(es.count("orders"), kRows);
  }
  es.reset();

  TempDir dir;
  ferry::test::write_file(dir.file("p.json"), pipeline_json(es));
  const CrashLoopResult r = crash_loop(dir, dir.file("p.json"), full_ms, 20261121,
                                       [&] { return std::max<int64_t>(0, es.count("orders")); });
  EXPECT_GE(r.kills, kKills) << "the run finished before it was killed often enough";
  EXPECT_GE(r.kills_mid_data, kKills / 2) << "too few kills landed while data was moving";

  EXPECT_EQ(es.count("orders"), kRows);
  std::vector<int> seen(kRows + 1, 0);
  int64_t wrong = 0;
  for (const boost::json::object& d : es.dump("orders")) {
    const std::string id(d.at("_id").as_string());
    int64_t n = 0;
    const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
    ASSERT_TRUE(ec == std::errc() && end == id.data() + id.size()) << "not a record key: " << id;
    ASSERT_GE(n, 1) << id;
    ASSERT_LE(n, kRows) << id;
    ++seen[n];
    const boost::json::object& src = d.at("_source").as_object();
    wrong += src.at("id").as_int64() != n || src.at("name").as_string() != "name-" + id;
  }
  for (int64_t id = 1; id <= kRows; ++id) ASSERT_EQ(seen[id], 1) << "id " << id;
  EXPECT_EQ(wrong, 0);
  // Re-deliveries happened and were absorbed by overwriting.
  EXPECT_GT(es.stat("overwrites"), 0);
  std::cout << "kills " << r.kills << " (mid-data " << r.kills_mid_data << "), restarts " << r.restarts
            << ", documents overwritten by re-delivery " << es.stat("overwrites") << ", full run "
            << full_ms << " ms\n";
}
