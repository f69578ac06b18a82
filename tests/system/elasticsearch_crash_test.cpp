// Crash safety of the elasticsearch sink: `ferry run` is killed with SIGKILL
// at random points of its progress while 200,000 records flow into the
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
#include <iostream>

#include "es-server/es_test_server.h"
#include "support/kill_loop.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::EsTestServer;
using ferry::test::TempDir;
constexpr int64_t kRows = 200000;
constexpr int kKills = 10;

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
  TempDir dir;
  ferry::test::write_file(dir.file("p.json"), pipeline_json(es));
  ferry::test::KillLoopSpec spec;
  spec.argv = {FERRY_TEST_BINARY, "run", "--no-progress", dir.file("p.json")};
  spec.out_file = dir.file("out.txt");
  spec.err_file = dir.file("err.txt");
  spec.total = kRows;
  spec.landed = [&] { return es.count("orders"); };
  // A batch is two bulk requests of 250: a count that is not a multiple of
  // 500 means one landed half, so the restart re-delivers it over itself.
  spec.in_flight = [](int64_t documents) { return documents % 500 != 0; };
  spec.kills = kKills;
  spec.seed = 20261121;
  const ferry::test::KillLoopResult r = ferry::test::kill_loop(spec);
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
            << ", documents overwritten by re-delivery " << es.stat("overwrites") << "\n";
}
