// The elasticsearch sink at the ABI boundary (dlopen harness), against the
// in-memory Elasticsearch stand-in of tests/es-server: value mapping, the
// bulk actions, per-item outcomes, whole-request failures, request bounds,
// gzip, concurrency, authentication and redaction.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <set>

#include "es-server/es_test_server.h"
#include "support/plugin_harness.h"
#include "support/webhook_receiver.h"
#include "support/ports.h"

namespace {

using ferry::test::Column;
using ferry::test::EsTestServer;
using ferry::test::OpenParams;
using ferry::test::Plugin;
using ferry::test::Row;
using ferry::test::SinkHandle;
using ferry::test::Value;
namespace json = boost::json;

const std::vector<Column> kColumns = {{"id", FERRY_TYPE_INT64, FERRY_FIELD_KEY},
                                      {"name", FERRY_TYPE_STRING},
                                      {"amount", FERRY_TYPE_DOUBLE}};

Row order(int64_t id, FerryOp op = FERRY_OP_INSERT) {
  return Row{{Value::int64(id), Value::string("name-" + std::to_string(id)), Value::real(id * 0.25)},
             std::to_string(id), std::to_string(id), op};
}

std::vector<Row> orders(int64_t first, int64_t last) {
  std::vector<Row> rows;
  for (int64_t id = first; id <= last; ++id) rows.push_back(order(id));
  return rows;
}

OpenParams params(const std::string& config_json) {
  OpenParams p;
  p.config_json = config_json;
  return p;
}

std::string config(const EsTestServer& es, const std::string& extra = "") {
  return R"({"url": ")" + es.url() + R"(", "index": "orders")" + extra + "}";
}

class ElasticsearchSink : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    plugin_ = std::make_unique<Plugin>(ferry::test::plugin_path("elasticsearch"));
    es_ = std::make_unique<EsTestServer>();
  }
  static void TearDownTestSuite() {
    es_.reset();
    plugin_.reset();
  }
  void SetUp() override { es_->reset(); }

  std::unique_ptr<SinkHandle> open(const std::string& extra = "") {
    auto sink = std::make_unique<SinkHandle>(*plugin_, params(config(*es_, extra)));
    EXPECT_EQ(sink->open_status(), FERRY_OK) << sink->host().last_error();
    return sink;
  }

  static std::unique_ptr<Plugin> plugin_;
  static std::unique_ptr<EsTestServer> es_;
};

std::unique_ptr<Plugin> ElasticsearchSink::plugin_;
std::unique_ptr<EsTestServer> ElasticsearchSink::es_;

TEST_F(ElasticsearchSink, DescriptorDeclaresAnIdempotentSinkWithSecretCredentials) {
  const FerryKindSpec* kind = plugin_->kind(FERRY_KIND_SINK);
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(kind->capabilities, FERRY_CAP_IDEMPOTENT);
  std::set<std::string> secret;
  for (size_t i = 0; i < kind->n_options; ++i)
    if (kind->options[i].flags & FERRY_OPTION_SECRET) secret.insert(kind->options[i].name);
  EXPECT_EQ(secret, (std::set<std::string>{"password", "api_key", "bearer_token"}));
}

TEST_F(ElasticsearchSink, MapsEveryValueTypeToJson) {
  auto sink = open();
  const std::vector<Column> cols = {
      {"id", FERRY_TYPE_STRING, FERRY_FIELD_KEY}, {"flag", FERRY_TYPE_BOOL},
      {"n", FERRY_TYPE_INT64},                    {"x", FERRY_TYPE_DOUBLE},
      {"text", FERRY_TYPE_STRING},
      {"raw", FERRY_TYPE_BYTES},                  {"ts", FERRY_TYPE_TIMESTAMP},
      {"old", FERRY_TYPE_TIMESTAMP},              {"doc", FERRY_TYPE_JSON},
      {"price", FERRY_TYPE_DECIMAL},              {"nothing", FERRY_TYPE_STRING},
      {"whole", FERRY_TYPE_DOUBLE},               {"big", FERRY_TYPE_DOUBLE}};
  Row row{{Value::string("a\"b/1"), Value::boolean(true), Value::int64(-9007199254740993LL),
           Value::real(0.1),
           Value::string("quote \" backslash \\ tab \t newline \n ctrl \x01 ü €"),
           Value::bytes(std::string("\x00\xff\x10", 3)), Value::timestamp(1700000000000001LL),
           Value::timestamp(-1), Value::json("{\n  \"k\": [1, 2.5, \"x\"]\n}"),
           Value::decimal("-12.50"), Value::null(), Value::real(100000), Value::real(1e300)},
          "a\"b/1", "1"};
  std::vector<SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink->write(ferry::test::make_batch(cols, {row}), &rejected), FERRY_OK)
      << sink->host().last_error();
  ASSERT_TRUE(rejected.empty()) << rejected[0].message;
  ASSERT_EQ(sink->commit("p0", "1"), FERRY_OK);

  const json::value doc = es_->doc("orders", "a%22b%2F1");
  ASSERT_TRUE(doc.is_object()) << "document a\"b/1 not found";
  const json::object& d = doc.as_object();
  EXPECT_EQ(d.at("id"), "a\"b/1");
  EXPECT_EQ(d.at("flag"), true);
  EXPECT_EQ(d.at("n").as_int64(), -9007199254740993LL);
  EXPECT_EQ(d.at("x").as_double(), 0.1);
  EXPECT_EQ(d.at("text"), "quote \" backslash \\ tab \t newline \n ctrl \x01 ü €");
  EXPECT_EQ(d.at("raw"), "AP8Q");
  EXPECT_EQ(d.at("ts"), "2023-11-14T22:13:20.000001Z");
  EXPECT_EQ(d.at("old"), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(d.at("doc"), json::parse(R"({"k": [1, 2.5, "x"]})"));
  EXPECT_EQ(d.at("price"), "-12.50");
  EXPECT_TRUE(d.at("nothing").is_null());
  // Integral doubles stay floating-point numbers ("100000.0"), so dynamic
  // mapping cannot type the field as long.
  EXPECT_TRUE(d.at("whole").is_double());
  EXPECT_EQ(d.at("whole").as_double(), 100000.0);
  EXPECT_EQ(d.at("big").as_double(), 1e300);
}

TEST_F(ElasticsearchSink, RowsThatCannotBecomeDocumentsAreRejectedAloneAndNeighboursWritten) {
  auto sink = open();
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64}, {"text", FERRY_TYPE_STRING},
                                    {"doc", FERRY_TYPE_JSON}};
  std::vector<Row> rows = {
      {{Value::int64(1), Value::string("ok"), Value::json("{}")}, "1", "1"},
      {{Value::int64(2), Value::string("bad \xff utf8"), Value::json("{}")}, "2", "2"},
      {{Value::int64(3), Value::string("ok"), Value::json("{not json")}, "3", "3"},
      {{Value::int64(4), Value::string("ok"), Value::json("[]")}, std::string(513, 'k'), "4"},
      {{Value::int64(5), Value::string("ok"), Value::json("[]")}, "", "5", FERRY_OP_DELETE},
      {{Value::int64(6), Value::string("ok"), Value::json("null")}, "6", "6"}};
  // JSON has no NaN or infinity: such a row is refused, not written with null.
  const std::vector<Column> numbers = {{"id", FERRY_TYPE_INT64}, {"x", FERRY_TYPE_DOUBLE}};
  std::vector<SinkHandle::Rejected> refused;
  ASSERT_EQ(sink->write(ferry::test::make_batch(numbers, {{{Value::int64(7), Value::real(std::nan(""))}, "7", "7"},
                                                           {{Value::int64(8), Value::real(-INFINITY)}, "8", "8"},
                                                           {{Value::int64(9), Value::real(2.5)}, "9", "9"}}),
                        &refused),
            FERRY_OK);
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_NE(refused[0].message.find("field 'x': nan has no JSON form"), std::string::npos) << refused[0].message;
  EXPECT_NE(refused[1].message.find("field 'x': -inf has no JSON form"), std::string::npos) << refused[1].message;
  for (const auto& r : refused) EXPECT_EQ(r.status, FERRY_INVALID_DATA);
  std::vector<SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink->write(ferry::test::make_batch(cols, rows), &rejected), FERRY_OK);
  ASSERT_EQ(rejected.size(), 4u);
  EXPECT_EQ(rejected[0].row, 1u);
  EXPECT_NE(rejected[0].message.find("field 'text': the text is not valid UTF-8"), std::string::npos);
  EXPECT_EQ(rejected[1].row, 2u);
  EXPECT_NE(rejected[1].message.find("field 'doc': the value is not valid JSON"), std::string::npos);
  EXPECT_EQ(rejected[2].row, 3u);
  EXPECT_NE(rejected[2].message.find("at most 512"), std::string::npos);
  EXPECT_EQ(rejected[3].row, 4u);
  EXPECT_NE(rejected[3].message.find("a delete record needs a document id"), std::string::npos);
  for (const auto& r : rejected) EXPECT_EQ(r.status, FERRY_INVALID_DATA);
  EXPECT_EQ(es_->count("orders"), 3);
}

TEST_F(ElasticsearchSink, ReplayingABatchOverwritesByIdInsteadOfDuplicating) {
  auto sink = open();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(sink->write(ferry::test::make_batch(kColumns, orders(1, 50))), FERRY_OK);
    ASSERT_EQ(sink->commit("p0", "50"), FERRY_OK);
  }
  EXPECT_EQ(es_->count("orders"), 50);
  EXPECT_EQ(es_->stat("overwrites"), 100);
  EXPECT_EQ(es_->doc("orders", "7").as_object().at("name"), "name-7");
}

TEST_F(ElasticsearchSink, DeleteRecordsDeleteAndAMissingDocumentCountsAsDeleted) {
  auto sink = open();
  ASSERT_EQ(sink->write(ferry::test::make_batch(kColumns, orders(1, 5))), FERRY_OK);
  std::vector<Row> rows = {order(2, FERRY_OP_DELETE), order(4, FERRY_OP_DELETE),
                           order(99, FERRY_OP_DELETE), order(6)};
  std::vector<SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink->write(ferry::test::make_batch(kColumns, rows), &rejected), FERRY_OK)
      << sink->host().last_error();
  EXPECT_TRUE(rejected.empty()) << rejected[0].message;
  EXPECT_EQ(es_->count("orders"), 4);  // 1, 3, 5, 6
  EXPECT_TRUE(es_->doc("orders", "2").is_null());
  EXPECT_TRUE(es_->doc("orders", "4").is_null());
  EXPECT_FALSE(es_->doc("orders", "6").is_null());
  EXPECT_EQ(es_->stats().at("items_by_action").as_object().at("delete").as_int64(), 3);
}

TEST_F(ElasticsearchSink, CreateReportsAConflictForAnExistingDocument) {
  auto sink = open(R"(, "action": "create")");
  ASSERT_EQ(sink->write(ferry::test::make_batch(kColumns, orders(1, 3))), FERRY_OK);
  std::vector<SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink->write(ferry::test::make_batch(kColumns, orders(3, 4)), &rejected), FERRY_OK);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].row, 0u);
  EXPECT_EQ(rejected[0].status, FERRY_INVALID_DATA);
  EXPECT_EQ(rejected[0].message,
            "conflict: document 3 already exists (version_conflict_engine_exception)");
  EXPECT_EQ(es_->count("orders"), 4);
}

TEST_F(ElasticsearchSink, UpdateMergesFieldsAndUpsertsMissingDocuments) {
  auto sink = open(R"(, "action": "update")");
  ASSERT_EQ(sink->write(ferry::test::make_batch(kColumns, orders(1, 2))), FERRY_OK);
  const std::vector<Column> partial = {{"id", FERRY_TYPE_INT64}, {"status", FERRY_TYPE_STRING}};
  std::vector<Row> rows = {{{Value::int64(2), Value::string("shipped")}, "2", "3", FERRY_OP_UPDATE},
                           {{Value::int64(3), Value::string("new")}, "3", "4", FERRY_OP_UPDATE}};
  ASSERT_EQ(sink->write(ferry::test::make_batch(partial, rows)), FERRY_OK) << sink->host().last_error();
  const json::object two = es_->doc("orders", "2").as_object();
  EXPECT_EQ(two.at("name"), "name-2");  // kept
  EXPECT_EQ(two.at("status"), "shipped");
  EXPECT_EQ(es_->doc("orders", "3").as_object().at("status"), "new");
  EXPECT_EQ(es_->count("orders"), 3);
}

TEST_F(ElasticsearchSink, MappingErrorsRejectOnlyTheirRowsWithTheServersTypeAndReason) {
  es_->inject(R"({"mapping_error": {"field": "amount", "when": "string"}})");
  auto sink = open();
  const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64}, {"amount", FERRY_TYPE_STRING}};
  std::vector<Row> rows;
  for (int64_t id = 1; id <= 3; ++id) rows.push_back({{Value::int64(id), Value::null()}, std::to_string(id), ""});
  rows[1].values[1] = Value::string("n/a");
  std::vector<SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink->write(ferry::test::make_batch(cols, rows), &rejected), FERRY_OK);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].row, 1u);
  EXPECT_EQ(rejected[0].status, FERRY_INVALID_DATA);
  EXPECT_EQ(rejected[0].message.rfind("mapper_parsing_exception: failed to parse field [amount] of type "
                                      "[float] in document with id '2'. Preview of field's value: 'n/a'",
                                      0),
            0u)
      << rejected[0].message;
  EXPECT_EQ(es_->count("orders"), 2);
}

TEST_F(ElasticsearchSink, ItemLevel429sAreRetriedAlone) {
  es_->inject(R"({"item_429": ["4", "9"], "item_503": ["6"]})");
  auto sink = open();
  std::vector<SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink->write(ferry::test::make_batch(kColumns, orders(1, 10)), &rejected), FERRY_OK);
  ASSERT_EQ(rejected.size(), 3u);
  EXPECT_EQ(rejected[0].row, 3u);
  EXPECT_EQ(rejected[1].row, 5u);
  EXPECT_EQ(rejected[2].row, 8u);
  for (const auto& r : rejected) EXPECT_EQ(r.status, FERRY_RETRY);
  EXPECT_NE(rejected[0].message.find("es_rejected_execution_exception"), std::string::npos);
  EXPECT_NE(rejected[1].message.find("unavailable_shards_exception"), std::string::npos);
  EXPECT_EQ(es_->count("orders"), 7);
}

TEST_F(ElasticsearchSink, WholeRequest429IsRetryWithTheServersRetryAfter) {
  es_->inject(R"({"http_429": 1, "retry_after": 2})");
  auto sink = open();
  ASSERT_EQ(sink->write(ferry::test::make_batch(kColumns, orders(1, 10))), FERRY_RETRY);
  EXPECT_NE(sink->host().last_error().find("HTTP 429: es_rejected_execution_exception"), std::string::npos)
      << sink->host().last_error();
  ASSERT_EQ(sink->host().retry_hints.size(), 1u);
  EXPECT_EQ(sink->host().retry_hints[0], 2000u);
  ASSERT_EQ(sink->write(ferry::test::make_batch(kColumns, orders(1, 10))), FERRY_OK);
  EXPECT_EQ(es_->count("orders"), 10);

  es_->inject(R"({"http_503": 1})");
  EXPECT_EQ(sink->write(ferry::test::make_batch(kColumns, orders(11, 12))), FERRY_RETRY);
}

TEST_F(ElasticsearchSink, AnUnreachableClusterIsRetry) {
  const ferry::test::RefusedPort refused;
  SinkHandle sink(*plugin_, params(R"({"url": "http://127.0.0.1:)" + std::to_string(refused.port()) +
                                       R"(", "index": "orders"})"));
  ASSERT_EQ(sink.open_status(), FERRY_OK);
  EXPECT_EQ(sink.write(ferry::test::make_batch(kColumns, orders(1, 2))), FERRY_RETRY);
}

TEST_F(ElasticsearchSink, SplitsAWriteIntoRequestsBoundedByRecordsAndBytes) {
  auto by_records = open(R"(, "max_bulk_records": 10)");
  ASSERT_EQ(by_records->write(ferry::test::make_batch(kColumns, orders(1, 95))), FERRY_OK);
  EXPECT_EQ(es_->stat("bulk_requests"), 10);
  EXPECT_EQ(es_->count("orders"), 95);

  es_->reset();
  auto by_bytes = open(R"(, "max_bulk_bytes": 1024)");
  ASSERT_EQ(by_bytes->write(ferry::test::make_batch(kColumns, orders(1, 200))), FERRY_OK);
  const int64_t requests = es_->stat("bulk_requests");
  // Each row is about 70 bytes of NDJSON: 14 fit under 1 KiB.
  EXPECT_GE(requests, 200 / 15);
  EXPECT_LE(es_->stat("bulk_bytes"), requests * 1024);
  EXPECT_EQ(es_->count("orders"), 200);
}

TEST_F(ElasticsearchSink, GzipAndConcurrencyDeliverEverything) {
  auto sink = open(R"(, "gzip": true, "concurrency": 4, "max_bulk_records": 100, "refresh": "wait_for")");
  ASSERT_EQ(sink->write(ferry::test::make_batch(kColumns, orders(1, 2000))), FERRY_OK)
      << sink->host().last_error();
  EXPECT_EQ(es_->count("orders"), 2000);
  const json::object stats = es_->stats();
  EXPECT_GE(stats.at("bulk_requests").as_int64(), 20);
  EXPECT_EQ(stats.at("gzip_bodies"), stats.at("bulk_requests"));
  EXPECT_EQ(stats.at("refresh").as_object().at("wait_for"), stats.at("bulk_requests"));
  EXPECT_EQ(es_->doc("orders", "1234").as_object().at("name"), "name-1234");
}

TEST_F(ElasticsearchSink, ConcurrencyKeepsTheOrderOfOperationsOnOneDocument) {
  auto sink = open(R"(, "concurrency": 8, "max_bulk_records": 1)");
  std::vector<Row> rows;
  for (int round = 0; round < 20; ++round) {
    rows.push_back(order(1));
    rows.push_back(order(1, FERRY_OP_DELETE));
  }
  rows.push_back(order(2));
  ASSERT_EQ(sink->write(ferry::test::make_batch(kColumns, rows)), FERRY_OK);
  EXPECT_TRUE(es_->doc("orders", "1").is_null());
  EXPECT_EQ(es_->count("orders"), 1);
}

TEST_F(ElasticsearchSink, RecordsWithoutAKeyGetGeneratedIdsAndOneWarning) {
  auto sink = open();
  std::vector<Row> rows = orders(1, 3);
  for (Row& r : rows) r.key.clear();
  ASSERT_EQ(sink->write(ferry::test::make_batch(kColumns, rows)), FERRY_OK);
  ASSERT_EQ(sink->write(ferry::test::make_batch(kColumns, rows)), FERRY_OK);
  EXPECT_EQ(es_->count("orders"), 6);  // at-least-once: the second delivery added copies
  int warnings = 0;
  for (const auto& log : sink->host().logs)
    warnings += log.level == FERRY_LOG_WARN && log.message.find("at-least-once") != std::string::npos;
  EXPECT_EQ(warnings, 1);
}

TEST_F(ElasticsearchSink, IdFieldNamesTheDocumentId) {
  auto sink = open(R"(, "id_field": "name")");
  ASSERT_EQ(sink->write(ferry::test::make_batch(kColumns, orders(1, 2))), FERRY_OK);
  EXPECT_FALSE(es_->doc("orders", "name-2").is_null());
}

TEST_F(ElasticsearchSink, BadOptionsFailAtOpenWithConfigError) {
  for (const std::string extra : {R"(, "action": "upsert")", R"(, "refresh": "soon")",
                                  R"(, "username": "elastic")", R"(, "api_key": "k", "bearer_token": "t")",
                                  R"(, "concurrency": 0)", R"(, "tls": true)"}) {
    SinkHandle sink(*plugin_, params(config(*es_, extra)));
    EXPECT_EQ(sink.open_status(), FERRY_ERROR_CONFIG) << extra;
  }
  SinkHandle upper(*plugin_, params(R"({"url": "http://127.0.0.1:1", "index": "Orders"})"));
  EXPECT_EQ(upper.open_status(), FERRY_ERROR_CONFIG);
  EXPECT_NE(upper.host().last_error().find("lowercase"), std::string::npos);
  SinkHandle file(*plugin_, params(R"({"url": "file:///etc/passwd", "index": "x"})"));
  EXPECT_EQ(file.open_status(), FERRY_ERROR_CONFIG);
}

// Authentication: each server checks one scheme.
TEST(ElasticsearchAuth, BasicCredentialsAreSentAndAWrongPasswordIsAuthErrorWithoutThePassword) {
  EsTestServer es({"--user", "elastic:correct-horse-battery"});
  es.set_auth_header("Authorization: Basic ZWxhc3RpYzpjb3JyZWN0LWhvcnNlLWJhdHRlcnk=");
  Plugin plugin(ferry::test::plugin_path("elasticsearch"));
  SinkHandle good(plugin, params(config(es, R"(, "username": "elastic", "password": "correct-horse-battery")")));
  ASSERT_EQ(good.write(ferry::test::make_batch(kColumns, orders(1, 2))), FERRY_OK) << good.host().last_error();
  EXPECT_EQ(es.stats().at("last_authorization"), "Basic ZWxhc3RpYzpjb3JyZWN0LWhvcnNlLWJhdHRlcnk=");

  SinkHandle bad(plugin, params(config(es, R"(, "username": "elastic", "password": "wrong-password-123")")));
  ASSERT_EQ(bad.write(ferry::test::make_batch(kColumns, orders(3, 4))), FERRY_ERROR_AUTH);
  const std::string error = bad.host().last_error();
  EXPECT_NE(error.find("HTTP 401: security_exception"), std::string::npos) << error;
  EXPECT_EQ(error.find("wrong-password-123"), std::string::npos) << error;
  for (const auto& log : bad.host().logs) EXPECT_EQ(log.message.find("wrong-password-123"), std::string::npos);
  EXPECT_EQ(es.count("orders"), 2);
}

TEST(ElasticsearchAuth, ApiKeyIsSentEncodedAndBearerTokensAsBearer) {
  // base64("key-id:key-secret")
  EsTestServer es({"--api-key", "a2V5LWlkOmtleS1zZWNyZXQ=", "--bearer", "tok-123456"});
  es.set_auth_header("Authorization: Bearer tok-123456");
  Plugin plugin(ferry::test::plugin_path("elasticsearch"));
  SinkHandle raw(plugin, params(config(es, R"(, "api_key": "key-id:key-secret")")));
  ASSERT_EQ(raw.write(ferry::test::make_batch(kColumns, orders(1, 1))), FERRY_OK) << raw.host().last_error();
  EXPECT_EQ(es.stats().at("last_authorization"), "ApiKey a2V5LWlkOmtleS1zZWNyZXQ=");
  SinkHandle encoded(plugin, params(config(es, R"(, "api_key": "a2V5LWlkOmtleS1zZWNyZXQ=")")));
  ASSERT_EQ(encoded.write(ferry::test::make_batch(kColumns, orders(2, 2))), FERRY_OK);
  SinkHandle bearer(plugin, params(config(es, R"(, "bearer_token": "tok-123456")")));
  ASSERT_EQ(bearer.write(ferry::test::make_batch(kColumns, orders(3, 3))), FERRY_OK);
  EXPECT_EQ(es.stats().at("last_authorization"), "Bearer tok-123456");
  SinkHandle wrong(plugin, params(config(es, R"(, "bearer_token": "tok-wrong-999")")));
  ASSERT_EQ(wrong.write(ferry::test::make_batch(kColumns, orders(4, 4))), FERRY_ERROR_AUTH);
  EXPECT_EQ(wrong.host().last_error().find("tok-wrong-999"), std::string::npos);
  EXPECT_EQ(es.count("orders"), 3);
}

}  // namespace

// Credentials in the URL are as secret as the password option: the Basic
// header libcurl builds from them, echoed by a server, is redacted too.
TEST(ElasticsearchAuth, CredentialsInTheUrlNeverReachAMessage) {
  ferry::test::WebhookReceiver server;
  server.respond_with(401, "denied");
  server.echo_authorization(true);
  Plugin plugin(ferry::test::plugin_path("elasticsearch"));
  const std::string url = "http://elastic:url-pass-9876@127.0.0.1:" + std::to_string(server.port());
  SinkHandle sink(plugin, params(R"({"url": ")" + url + R"(", "index": "orders"})"));
  ASSERT_EQ(sink.open_status(), FERRY_OK) << sink.host().last_error();
  EXPECT_EQ(sink.write(ferry::test::make_batch(kColumns, orders(1, 1))), FERRY_ERROR_AUTH);
  ASSERT_FALSE(server.requests().empty());
  // base64("elastic:url-pass-9876")
  EXPECT_EQ(server.requests()[0].header("authorization"), "Basic ZWxhc3RpYzp1cmwtcGFzcy05ODc2");
  std::string text = sink.host().last_error() + "\n";
  for (const auto& log : sink.host().logs) text += log.message + "\n";
  EXPECT_NE(text.find("401"), std::string::npos) << text;
  for (const char* secret : {"url-pass-9876", "ZWxhc3RpYzp1cmwtcGFzcy05ODc2"})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked in: " << text;
}
