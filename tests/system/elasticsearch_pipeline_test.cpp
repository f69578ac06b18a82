// The elasticsearch sink end to end: the real `ferry` binary runs pipelines
// into the in-memory Elasticsearch stand-in (tests/es-server), which injects
// whole-request 429s, item-level 429s and mapping errors; outcomes are read
// from the server and from the state store's dead-letter queue.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "es-server/es_test_server.h"
#include "state/state_store.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::EsTestServer;
using ferry::test::TempDir;

std::vector<ferry::core::DlqEntry> dlq(const TempDir& dir, const std::string& pipeline) {
  auto state = ferry::core::open_sqlite_state(dir.file("state.db"));
  ferry::core::DlqFilter f;
  f.pipeline = pipeline;
  return state->list_dlq(f);
}

ferry::test::ProcessResult run(const TempDir& dir, const std::string& json,
                               const std::vector<std::string>& env = {}) {
  ferry::test::write_file(dir.file("p.json"), json);
  return ferry::test::ferry({"run", "--no-progress", dir.file("p.json")}, env);
}

std::string generator_pipeline(const std::string& name, const EsTestServer& es, int count, int batch,
                               const std::string& sink_extra = "") {
  return R"({"name": ")" + name + R"(", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": )" + std::to_string(count) + R"(}},
    "batch": {"max_records": )" + std::to_string(batch) + R"(},
    "retry": {"max_attempts": 5, "initial_delay_ms": 1, "max_delay_ms": 10},
    "sinks": [{"name": "es", "plugin": "elasticsearch",
               "config": {"url": ")" + es.url() + R"(", "index": "orders")" + sink_extra + "}}]}";
}

class ElasticsearchPipeline : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { es_ = std::make_unique<EsTestServer>(); }
  static void TearDownTestSuite() { es_.reset(); }
  void SetUp() override { es_->reset(); }
  static std::unique_ptr<EsTestServer> es_;
};
std::unique_ptr<EsTestServer> ElasticsearchPipeline::es_;

TEST_F(ElasticsearchPipeline, WholeRequest429sAreRetriedHonouringRetryAfter) {
  TempDir dir;
  es_->inject(R"({"http_429": 2, "retry_after": 1})");
  const auto start = std::chrono::steady_clock::now();
  auto r = run(dir, generator_pipeline("r429", *es_, 1000, 500));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(es_->count("orders"), 1000);
  const auto stats = es_->stats();
  EXPECT_EQ(stats.at("http_429_sent").as_int64(), 2);
  EXPECT_EQ(stats.at("bulk_requests").as_int64(), 2 + 2);  // two batches, two refused attempts
  EXPECT_EQ(stats.at("items").as_int64(), 1000);           // refused bodies are not parsed
  // Two waits of at least the server's Retry-After: 1 s each, although the
  // pipeline's own backoff is at most 10 ms.
  EXPECT_GE(ms.count(), 2000) << r.err;
  EXPECT_NE(r.err.find("HTTP 429"), std::string::npos) << r.err;
  EXPECT_TRUE(dlq(dir, "r429").empty());
}

TEST_F(ElasticsearchPipeline, ItemLevel429sResendOnlyThoseItems) {
  TempDir dir;
  es_->inject(R"({"item_429": ["7", "42", "93"]})");
  auto r = run(dir, generator_pipeline("items", *es_, 100, 100));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(es_->count("orders"), 100);
  const auto stats = es_->stats();
  EXPECT_EQ(stats.at("item_429_sent").as_int64(), 3);
  EXPECT_EQ(stats.at("bulk_requests").as_int64(), 2);
  EXPECT_EQ(stats.at("items").as_int64(), 103);  // the batch, then only the three rows again
  EXPECT_EQ(stats.at("overwrites").as_int64(), 0);
  EXPECT_TRUE(dlq(dir, "items").empty());
}

TEST_F(ElasticsearchPipeline, MappingErrorsLandInTheDlqWithTheServersReasonAndNeighboursAreIndexed) {
  TempDir dir;
  std::string lines;
  for (int id = 1; id <= 100; ++id) {
    const bool bad = id == 13 || id == 57;
    lines += R"({"id": )" + std::to_string(id) + R"(, "amount": )" +
             (bad ? std::string(R"("n/a")") : std::to_string(id) + ".5") + "}\n";
  }
  ferry::test::write_file(dir.file("orders.jsonl"), lines);
  es_->inject(R"({"mapping_error": {"field": "amount", "when": "string"}})");
  auto r = run(dir, R"({"name": "mapping", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "orders.jsonl", "key": "id"}},
    "sinks": [{"name": "es", "plugin": "elasticsearch",
               "config": {"url": ")" + es_->url() + R"(", "index": "orders"}}]})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(es_->count("orders"), 98);
  for (const char* id : {"12", "14", "56", "58", "100"}) EXPECT_FALSE(es_->doc("orders", id).is_null()) << id;
  auto entries = dlq(dir, "mapping");
  ASSERT_EQ(entries.size(), 2u);
  std::set<std::string> keys;
  for (const auto& e : entries) {
    keys.insert(e.record_key);
    EXPECT_EQ(e.sink, "es");
    EXPECT_EQ(e.error_class, "invalid_data");
    EXPECT_EQ(e.message.rfind("mapper_parsing_exception: failed to parse field [amount] of type [float] "
                              "in document with id '" + e.record_key + "'. Preview of field's value: 'n/a'",
                              0),
              0u)
        << e.message;
    EXPECT_NE(e.message.find("number_format_exception"), std::string::npos) << e.message;
  }
  EXPECT_EQ(keys, (std::set<std::string>{"13", "57"}));
}

TEST_F(ElasticsearchPipeline, CreateConflictsAreReportedToTheDlqNotDropped) {
  TempDir first, second;
  ASSERT_EQ(run(first, generator_pipeline("c1", *es_, 20, 10, R"(, "action": "create")")).exit_code, 0);
  auto r = run(second, generator_pipeline("c2", *es_, 30, 10, R"(, "action": "create")"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(es_->count("orders"), 30);
  auto entries = dlq(second, "c2");
  ASSERT_EQ(entries.size(), 20u);
  for (const auto& e : entries) {
    EXPECT_EQ(e.error_class, "invalid_data");
    EXPECT_EQ(e.message, "conflict: document " + e.record_key +
                             " already exists (version_conflict_engine_exception)");
  }
  EXPECT_NE(r.out.find("rejected 20"), std::string::npos) << r.out;
}

TEST(ElasticsearchPipelineAuth, AWrongPasswordStopsTheRunAndIsNeverPrinted) {
  EsTestServer es({"--user", "etl:right-password-42"});
  es.set_auth_header("Authorization: Basic ZXRsOnJpZ2h0LXBhc3N3b3JkLTQy");
  TempDir dir;
  const std::string pipeline = generator_pipeline(
      "auth", es, 10, 10, R"(, "username": "etl", "password": "${ES_PASSWORD}")");
  auto bad = run(dir, pipeline, {"ES_PASSWORD=not-the-password-77"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("401"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find("not-the-password-77"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.out.find("not-the-password-77"), std::string::npos) << bad.out;
  EXPECT_EQ(es.count("orders"), -1);

  auto good = run(dir, pipeline, {"ES_PASSWORD=right-password-42"});
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(es.count("orders"), 10);
}

}  // namespace
