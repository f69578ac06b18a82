// The s3 sink end to end, with the real `ferry` binary: against s3rver
// (started from tests/s3; see tests/s3/s3_test_env.h) for keys, content,
// formats, determinism, multipart and configuration errors, and against a
// scripted capture server for the exact headers and for failures s3rver
// cannot produce (503 SlowDown, a part failing mid-upload).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "s3/s3_test_env.h"
#include "state/state_store.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using ferry::test::TempDir;
using namespace ferry::test::s3;

class S3Sink : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new S3rver(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static const S3rver& server() { return *server_; }

  // generator(count, partitions) -> s3 with `sink_config` (JSON members).
  static std::string pipeline(const std::string& name, int count, int partitions, int batch,
                              const std::string& sink_config, const std::string& extra = "") {
    return R"({"name": ")" + name + R"(", "state": {"type": "sqlite", "path": "state.db"},
      "source": {"plugin": "generator", "config": {"count": )" + std::to_string(count) +
           R"(, "partitions": )" + std::to_string(partitions) + R"(}},
      "batch": {"max_records": )" + std::to_string(batch) + R"(, "max_bytes": 268435456},
      "retry": {"max_attempts": 3, "initial_delay_ms": 1, "max_delay_ms": 5},
      "sinks": [{"name": "s3", "plugin": "s3", "config": {"endpoint": ")" + server().endpoint() +
           R"(", "bucket": ")" + server().bucket() + R"(", "access_key_id": "S3RVER",
                 "secret_access_key": "S3RVER" )" + sink_config + "}}" + extra + "]}";
  }

  static ferry::test::ProcessResult run(const TempDir& dir, const std::string& json,
                                        std::vector<std::string> flags = {}) {
    ferry::test::write_file(dir.file("p.json"), json);
    // Global flags (--log-level) go before the command.
    std::vector<std::string> args = std::move(flags);
    for (const char* a : {"run", "--no-progress"}) args.push_back(a);
    args.push_back(dir.file("p.json"));
    return ferry::test::ferry(args);
  }

  static S3rver* server_;
};
S3rver* S3Sink::server_ = nullptr;

std::vector<boost::json::object> parse_jsonl(const std::string& text) {
  std::vector<boost::json::object> rows;
  for (const std::string& line : lines_of(text)) rows.push_back(boost::json::parse(line).as_object());
  return rows;
}

}  // namespace

TEST_F(S3Sink, JsonlObjectsLandUnderDeterministicKeysWithTheFileSinksContent) {
  TempDir dir;
  // The file sink in the same pipeline renders the same batches: the objects
  // must hold exactly its bytes.
  auto r = run(dir, pipeline("orders", 25, 2, 5, R"(, "prefix": "t1/exports")",
                             R"(, {"name": "files", "plugin": "file", "config": {"directory": "out"}})"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> expected = {
      "t1/exports/orders/p0/undated/1-5.jsonl",    "t1/exports/orders/p0/undated/11-13.jsonl",
      "t1/exports/orders/p0/undated/6-10.jsonl",   "t1/exports/orders/p1/undated/14-18.jsonl",
      "t1/exports/orders/p1/undated/19-23.jsonl",  "t1/exports/orders/p1/undated/24-25.jsonl"};
  EXPECT_EQ(list_keys(server(), "t1/"), expected);

  std::map<std::string, std::string> files;  // "<first>-<last>" -> bytes
  for (const auto& e : std::filesystem::directory_iterator(dir.path() / "out")) {
    const std::string name = e.path().filename().string();  // orders-p0_<hash>-1-5.jsonl
    const size_t dash = name.find('-', name.find('_'));
    files[name.substr(dash + 1, name.size() - dash - 1 - 6)] = ferry::test::read_file(e.path().string());
  }
  int64_t rows = 0;
  for (const std::string& key : expected) {
    const std::string body = get_object(server(), key);
    const std::string range = key.substr(key.rfind('/') + 1, key.size() - key.rfind('/') - 1 - 6);
    ASSERT_TRUE(files.count(range)) << range;
    EXPECT_EQ(body, files[range]) << key;
    for (const boost::json::object& o : parse_jsonl(body)) {
      ++rows;
      EXPECT_EQ(o.at("name").as_string(), "name-" + std::to_string(o.at("id").as_int64()));
    }
  }
  EXPECT_EQ(rows, 25);
  EXPECT_EQ(get_object(server(), "t1/exports/orders/p0/undated/1-5.jsonl").substr(0, 74),
            R"({"id":1,"name":"name-1","amount":0.25,"ts":"2023-11-14T22:13:20.001000Z"})" "\n");
}

// JSON has no NaN or infinity: a row holding one goes to the DLQ with the
// reason, from the s3 sink (JSONL) and the file sink alike, instead of
// being written with null in its place; the neighbours are written.
TEST_F(S3Sink, JsonlRowsWithNonFiniteNumbersAreRejectedNotNulled) {
  TempDir dir;
  ferry::test::write_file(dir.file("in.csv"), "id,x\n1,0.5\n2,nan\n3,-inf\n4,1.5\n");
  const std::string json = R"({"name": "nonfinite", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "in.csv", "columns_types": {"id": "int64", "x": "double"}}},
    "sinks": [{"name": "s3", "plugin": "s3", "config": {"endpoint": ")" + server().endpoint() +
                           R"(", "bucket": ")" + server().bucket() + R"(", "access_key_id": "S3RVER",
                 "secret_access_key": "S3RVER", "prefix": "nonfinite"}},
              {"name": "files", "plugin": "file", "config": {"directory": "out"}}]})";
  auto r = run(dir, json);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> keys = list_keys(server(), "nonfinite/");
  ASSERT_EQ(keys.size(), 1u);
  const std::string expected = "{\"id\":1,\"x\":0.5}\n{\"id\":4,\"x\":1.5}\n";
  EXPECT_EQ(get_object(server(), keys[0]), expected);
  std::string files;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() / "out"))
    files += ferry::test::read_file(e.path().string());
  EXPECT_EQ(files, expected);

  auto dlq = ferry::test::ferry({"dlq", "export", dir.file("p.json")});
  ASSERT_EQ(dlq.exit_code, 0) << dlq.err;
  std::multiset<std::string> refused;  // "sink: message"
  for (const boost::json::object& e : parse_jsonl(dlq.out))
    refused.insert(std::string(e.at("sink").as_string()) + ": " + std::string(e.at("message").as_string()));
  EXPECT_EQ(refused, (std::multiset<std::string>{"files: file sink: field 'x': -inf has no JSON form",
                                                 "files: file sink: field 'x': nan has no JSON form",
                                                 "s3: s3 sink: field 'x': -inf has no JSON form",
                                                 "s3: s3 sink: field 'x': nan has no JSON form"}));
}

// A record with a field named like op_field: the line or header held the
// name twice ({"_op":"insert",...,"_op":"mine"}), which no reader takes back
// whole (an outside tester). Its rows go to the DLQ, and no output is made.
TEST_F(S3Sink, ARecordWithAFieldNamedLikeTheOpFieldIsRefused) {
  TempDir dir;
  ferry::test::write_file(dir.file("in.jsonl"), "{\"id\": 1, \"_op\": \"mine\", \"v\": \"a\"}\n");
  const std::string s3 = R"("plugin": "s3", "config": {"endpoint": ")" + server().endpoint() + R"(", "bucket": ")" +
                         server().bucket() + R"(", "access_key_id": "S3RVER", "secret_access_key": "S3RVER", )";
  const std::string json = R"({"name": "opclash", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "in.jsonl", "key": "id"}},
    "sinks": [{"name": "csv", )" + s3 + R"("prefix": "opclash-csv", "format": "csv", "op_field": "_op"}},
              {"name": "jsonl", )" + s3 + R"("prefix": "opclash-jsonl", "op_field": "_op"}},
              {"name": "files", "plugin": "file", "config": {"directory": "out", "op_field": "_op"}}]})";
  auto r = run(dir, json);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(list_keys(server(), "opclash-").empty());
  EXPECT_TRUE(!std::filesystem::exists(dir.path() / "out") || std::filesystem::is_empty(dir.path() / "out"));
  auto dlq = ferry::test::ferry({"dlq", "export", dir.file("p.json")});
  ASSERT_EQ(dlq.exit_code, 0) << dlq.err;
  std::multiset<std::string> refused;
  for (const boost::json::object& e : parse_jsonl(dlq.out))
    refused.insert(std::string(e.at("sink").as_string()) + ": " + std::string(e.at("message").as_string()));
  const std::string why = "the record has a field '_op', the name op_field gives its operation; rename the field "
                          "(map transform) or set another op_field";
  EXPECT_EQ(refused, (std::multiset<std::string>{"csv: s3 sink: " + why, "files: file sink: " + why,
                                                 "jsonl: s3 sink: " + why}));
}

TEST_F(S3Sink, GzippedCsvObjectsHaveAHeaderAndRfc4180Rows) {
  TempDir dir;
  auto r = run(dir, pipeline("csvjob", 12, 1, 5, R"(, "prefix": "t2", "format": "csv", "gzip": true)"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> keys = list_keys(server(), "t2/");
  EXPECT_EQ(keys, (std::vector<std::string>{"t2/csvjob/p0/undated/1-5.csv.gz", "t2/csvjob/p0/undated/11-12.csv.gz",
                                            "t2/csvjob/p0/undated/6-10.csv.gz"}));
  const std::string packed = get_object(server(), "t2/csvjob/p0/undated/1-5.csv.gz");
  ASSERT_GE(packed.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);  // a gzip member, not Content-Encoding
  EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8b);
  EXPECT_EQ(gunzip(packed),
            "id,name,amount,ts\r\n"
            "1,name-1,0.25,2023-11-14T22:13:20.001000Z\r\n"
            "2,name-2,0.5,2023-11-14T22:13:20.002000Z\r\n"
            "3,name-3,0.75,2023-11-14T22:13:20.003000Z\r\n"
            "4,name-4,1,2023-11-14T22:13:20.004000Z\r\n"
            "5,name-5,1.25,2023-11-14T22:13:20.005000Z\r\n");
}

TEST_F(S3Sink, TheSameInputTwiceGivesTheSameKeysAndBytes) {
  // Fresh state each time: the second run replays everything, as a run that
  // lost its checkpoints would, and must land on the same objects.
  std::map<std::string, std::string> first, second;
  {
    TempDir dir;
    auto r = run(dir, pipeline("twice", 3000, 3, 700, R"(, "prefix": "t3", "gzip": true)"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    first = get_all(server(), "t3/");
  }
  {
    TempDir dir;
    auto r = run(dir, pipeline("twice", 3000, 3, 700, R"(, "prefix": "t3", "gzip": true)"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    second = get_all(server(), "t3/");
  }
  EXPECT_EQ(first.size(), 6u);  // 3 partitions of 1000 rows, batches of 700: 2 objects each
  EXPECT_EQ(first, second);
  std::set<int64_t> ids;
  for (const auto& [key, bytes] : second)
    for (const boost::json::object& o : parse_jsonl(gunzip(bytes))) ids.insert(o.at("id").as_int64());
  EXPECT_EQ(ids.size(), 3000u);
}

TEST_F(S3Sink, LargeObjectsGoUpAsMultipartWithNoPartsLeft) {
  TempDir dir;
  // One batch of 160,000 rows is about 13 MB of JSONL: with a 5 MiB
  // threshold and 5 MiB parts that is three parts (5, 5 and the rest).
  auto r = run(dir,
               pipeline("big", 160000, 1, 160000,
                        R"(, "prefix": "t4", "multipart_threshold": 5242880, "part_size": 5242880)"),
               {"--log-level", "debug"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("3-part multipart upload of"), std::string::npos) << r.err;
  const std::vector<std::string> keys = list_keys(server(), "t4/");
  ASSERT_EQ(keys, std::vector<std::string>{"t4/big/p0/undated/1-160000.jsonl"});
  const std::string body = get_object(server(), keys[0]);
  EXPECT_GT(body.size(), 12u << 20);
  std::vector<char> seen(160001, 0);
  size_t lines = 0;
  for (size_t at = 0; at < body.size();) {
    const size_t nl = body.find('\n', at);
    ASSERT_NE(nl, std::string::npos);
    const int64_t id = std::stoll(body.substr(at + 6, 10));  // {"id":N,
    ASSERT_TRUE(id >= 1 && id <= 160000);
    ++seen[static_cast<size_t>(id)];
    ++lines;
    at = nl + 1;
  }
  EXPECT_EQ(lines, 160000u);
  EXPECT_EQ(std::count(seen.begin() + 1, seen.end(), 1), 160000);
  EXPECT_TRUE(list_uploads(server()).empty());
  EXPECT_EQ(upload_dirs_on_disk(server()), 0u);
}

TEST_F(S3Sink, ATemplateWithNowIsRefusedBeforeAnyDataMoves) {
  TempDir dir;
  auto r = run(dir, pipeline("clock", 10, 1, 5,
                             R"(, "prefix": "t5", "key_template": "{prefix}/{now}/{partition}/{first_position}.{ext}")"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("{now} is not allowed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("object names must be deterministic"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("overwrites its own object instead of writing a duplicate"), std::string::npos) << r.err;
  EXPECT_TRUE(list_keys(server(), "t5/").empty());
}

// The generator's ids start again in every window of a day: with 12-hour
// windows both windows' batches had the same {data_date} and positions,
// and the second window's objects replaced the first's. A template that
// cannot tell a backfill's windows apart is refused before any data moves;
// {window_start} tells them apart.
TEST_F(S3Sink, ABackfillWhoseKeysCannotTellItsWindowsApartIsRefused) {
  const auto backfill = [&](const TempDir& dir, const std::string& prefix, const std::string& key_template,
                            const std::string& to = "2026-01-02", const std::string& window = "12h") {
    ferry::test::write_file(dir.file("p.json"),
                            pipeline("windows", 10, 1, 5, R"(, "prefix": ")" + prefix + "\"" + key_template));
    return ferry::test::ferry({"backfill", "--no-progress", dir.file("p.json"), "--from", "2026-01-01", "--to", to,
                               "--window", window});
  };
  TempDir refused;
  auto r = backfill(refused, "t6", "");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("does not tell this backfill's windows apart (windows shorter than a day share their "
                       "{data_date})"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(list_keys(server(), "t6/").empty());
  // Daily windows whose last is cut short: that one could share its date
  // with a later backfill's window, and it is refused before the first
  // window moves any data.
  TempDir cut_short;
  r = backfill(cut_short, "t8", "", "2026-01-03T12:00:00Z", "1d");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("window 2026-01-03: sink 's3'"), std::string::npos) << r.err;
  EXPECT_TRUE(list_keys(server(), "t8/").empty());

  TempDir apart;
  r = backfill(apart, "t7", R"(, "key_template": "{prefix}/{partition}/{window_start}/{first_position}-{last_position}.{ext}")");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto keys = list_keys(server(), "t7/");
  EXPECT_EQ(keys.size(), 4u);
  size_t rows = 0;
  for (const std::string& key : keys) rows += lines_of(get_object(server(), key)).size();
  EXPECT_EQ(rows, 20u);
}

TEST_F(S3Sink, AMissingBucketIsAFatalConfigErrorNamingBucketAndEndpoint) {
  TempDir dir;
  std::string json = pipeline("nobucket", 10, 1, 5, R"(, "prefix": "t6")");
  const std::string from = "\"bucket\": \"" + server().bucket() + "\"";
  json.replace(json.find(from), from.size(), "\"bucket\": \"no-such-bucket\"");
  const auto start = std::chrono::steady_clock::now();
  auto r = run(dir, json);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("bucket 'no-such-bucket' does not exist at " + server().endpoint()), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("config_error"), std::string::npos) << r.err;
  // Fatal: not retried for minutes (a busy machine stays far below 60 s).
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

TEST_F(S3Sink, RefusedCredentialsAreAnAuthErrorAndSecretsNeverShow) {
  TempDir dir;
  std::string json = pipeline("auth", 10, 1, 5, R"(, "prefix": "t7", "session_token": "TokenValue-77889900")");
  auto swap = [&](std::string& text, const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
  };
  swap(json, R"("access_key_id": "S3RVER")", R"("access_key_id": "NOT-A-KEY")");
  swap(json, R"("secret_access_key": "S3RVER")", R"("secret_access_key": "TopSecretValue-1234567")");
  auto r = run(dir, json, {"--log-level", "debug"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("auth_error"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("InvalidAccessKeyId"), std::string::npos) << r.err;
  for (const std::string& out : {r.out, r.err}) {
    EXPECT_EQ(out.find("TopSecretValue"), std::string::npos) << out;
    EXPECT_EQ(out.find("TokenValue-77889900"), std::string::npos) << out;
  }

  // Credentials from the environment (which the host never sees as
  // secrets) are kept out just the same.
  TempDir dir2;
  std::string from_env = pipeline("auth", 10, 1, 5, R"(, "prefix": "t7")");
  swap(from_env, R"("access_key_id": "S3RVER",)", "");
  swap(from_env, R"("secret_access_key": "S3RVER" )", R"("region": "us-east-1" )");
  ferry::test::write_file(dir2.file("p.json"), from_env);
  auto r2 = ferry::test::ferry({"--log-level", "debug", "run", "--no-progress", dir2.file("p.json")},
                               {"AWS_ACCESS_KEY_ID=ENV-KEY", "AWS_SECRET_ACCESS_KEY=EnvSecret-555666777",
                                "AWS_SESSION_TOKEN=EnvToken-888999000"});
  EXPECT_NE(r2.exit_code, 0);
  EXPECT_NE(r2.err.find("InvalidAccessKeyId"), std::string::npos) << r2.err;
  for (const std::string& out : {r2.out, r2.err}) {
    EXPECT_EQ(out.find("EnvSecret-555666777"), std::string::npos) << out;
    EXPECT_EQ(out.find("EnvToken-888999000"), std::string::npos) << out;
  }
}

// ---------------------------------------------------------------------------
// Against the capture server: what exactly goes over the wire.

namespace {

const std::string kEmptyListing =
    "<?xml version=\"1.0\"?><ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>";

std::string capture_pipeline(const std::string& endpoint, int count, int batch, const std::string& sink_config) {
  return R"({"name": "cap", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": )" + std::to_string(count) + R"(}},
    "batch": {"max_records": )" + std::to_string(batch) + R"(, "max_bytes": 268435456},
    "retry": {"max_attempts": 4, "initial_delay_ms": 1, "max_delay_ms": 20},
    "sinks": [{"name": "s3", "plugin": "s3", "config": {"endpoint": ")" + endpoint + R"(", "bucket": "cap-bucket",
      "access_key_id": "AKID", "secret_access_key": "SecretForCapture-42" )" + sink_config + "}}]}";
}

ferry::test::ProcessResult run_capture(const TempDir& dir, const std::string& json) {
  ferry::test::write_file(dir.file("p.json"), json);
  return ferry::test::ferry({"run", "--no-progress", dir.file("p.json")});
}

bool is_put_object(const CapturedRequest& r) { return r.method == "PUT" && r.target.find('?') == std::string::npos; }

}  // namespace

TEST(S3SinkWire, SlowDownIsRetriedAndTheSameBytesGoToTheSameKeyWithChecksums) {
  int puts = 0;
  CaptureServer server([&](const CapturedRequest& r) {
    if (r.method == "GET") return Reply{200, kEmptyListing, {}};
    if (is_put_object(r) && ++puts == 1)
      return Reply{503, s3_error_xml("SlowDown", "Please reduce your request rate."), {}};
    return Reply{200, "", {{"ETag", "\"x\""}}};
  });
  TempDir dir;
  auto r = run_capture(dir, capture_pipeline(server.endpoint(), 10, 10, R"(, "prefix": "w1")"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("SlowDown"), std::string::npos) << r.err;  // the retry was logged

  std::vector<CapturedRequest> put;
  for (const CapturedRequest& q : server.requests())
    if (is_put_object(q)) put.push_back(q);
  ASSERT_EQ(put.size(), 2u);
  EXPECT_EQ(put[0].target, "/cap-bucket/w1/cap/p0/undated/1-10.jsonl");
  EXPECT_EQ(put[1].target, put[0].target);
  EXPECT_EQ(put[1].body, put[0].body);
  const CapturedRequest& p = put[1];
  EXPECT_EQ(p.header("content-md5"), hex_to_base64(hex_digest("md5sum", p.body)));
  EXPECT_EQ(p.header("x-amz-content-sha256"), hex_digest("sha256sum", p.body));
  EXPECT_EQ(p.header("content-type"), "application/x-ndjson");
  const std::string auth = p.header("authorization");
  EXPECT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=AKID/", 0), 0u) << auth;
  for (const char* signed_header : {"content-md5", "content-type", "host", "x-amz-content-sha256", "x-amz-date"})
    EXPECT_NE(auth.find(signed_header), std::string::npos) << signed_header << " unsigned in " << auth;
  EXPECT_EQ(auth.find("SecretForCapture"), std::string::npos);
}

// Deferred commits (ABI 1.10): three batches, three objects, the first
// PUT of the first object answered 500. With uploads in the background the
// host may have sent the next objects before it hears of the failure: it
// uploads the first again, then those sent after it (a key in two batches
// would otherwise end with the older one), each at most once more.
// Uploading inside each commit, only the failed object goes twice. Either
// way every object is there and the run ends checkpointed.
TEST(S3SinkWire, AFailedBackgroundUploadIsRedoneAndSoAreTheObjectsSentAfterIt) {
  for (const int concurrency : {2, 0}) {
    SCOPED_TRACE("upload_concurrency " + std::to_string(concurrency));
    bool failed = false;
    CaptureServer server([&](const CapturedRequest& r) {
      if (r.method == "GET") return Reply{200, kEmptyListing, {}};
      if (is_put_object(r) && r.target.find("/1-10.jsonl") != std::string::npos && !failed) {
        failed = true;
        return Reply{500, s3_error_xml("InternalError", "We encountered an internal error."), {}};
      }
      return Reply{200, "", {{"ETag", "\"x\""}}};
    });
    TempDir dir;
    auto r = run_capture(dir, capture_pipeline(server.endpoint(), 30, 10,
                                               R"(, "upload_concurrency": )" + std::to_string(concurrency)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, int> puts;
    for (const CapturedRequest& q : server.requests())
      if (is_put_object(q)) ++puts[q.target.substr(q.target.rfind('/') + 1)];
    ASSERT_EQ(puts.size(), 3u) << r.err;
    EXPECT_EQ(puts["1-10.jsonl"], 2);
    if (concurrency == 0) {
      EXPECT_EQ(puts["11-20.jsonl"], 1);
      EXPECT_EQ(puts["21-30.jsonl"], 1);
    } else {
      // Those sent before the failure was heard are a prefix of the rest.
      EXPECT_GE(puts["11-20.jsonl"], puts["21-30.jsonl"]);
      EXPECT_LE(puts["11-20.jsonl"], 2);
      EXPECT_GE(puts["21-30.jsonl"], 1);
    }
    auto cp = ferry::core::open_sqlite_state(dir.file("state.db"))->load_checkpoint("cap", "p0");
    ASSERT_TRUE(cp.has_value());
    EXPECT_EQ(cp->position, "30");
  }
}

TEST(S3SinkWire, Sha256ChecksumIsSentAsXAmzChecksum) {
  CaptureServer server([&](const CapturedRequest& r) {
    if (r.method == "GET") return Reply{200, kEmptyListing, {}};
    return Reply{200, "", {{"ETag", "\"x\""}}};
  });
  TempDir dir;
  auto r = run_capture(dir, capture_pipeline(server.endpoint(), 5, 10, R"(, "checksum": "sha256")"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<CapturedRequest> reqs = server.requests();
  auto put = std::find_if(reqs.begin(), reqs.end(), is_put_object);
  ASSERT_NE(put, reqs.end());
  EXPECT_EQ(put->header("x-amz-checksum-sha256"), hex_to_base64(hex_digest("sha256sum", put->body)));
  EXPECT_EQ(put->header("content-md5"), "");
}

TEST(S3SinkWire, APartFailingMidUploadAbortsTheUploadThenTheRetrySucceeds) {
  int uploads = 0, part_puts = 0;
  CaptureServer server([&](const CapturedRequest& r) {
    if (r.method == "GET") return Reply{200, kEmptyListing, {}};
    if (r.method == "POST" && r.target.find("?uploads=") != std::string::npos)
      return Reply{200, "<InitiateMultipartUploadResult><UploadId>up-" + std::to_string(++uploads) +
                            "</UploadId></InitiateMultipartUploadResult>", {}};
    if (r.method == "PUT" && r.target.find("partNumber=") != std::string::npos) {
      if (++part_puts == 2) return Reply{500, s3_error_xml("InternalError", "We encountered an internal error."), {}};
      return Reply{200, "", {{"ETag", "\"etag-" + std::to_string(part_puts) + "\""}}};
    }
    if (r.method == "POST") return Reply{200, "<CompleteMultipartUploadResult><ETag>\"e\"</ETag></CompleteMultipartUploadResult>", {}};
    if (r.method == "DELETE") return Reply{204, "", {}};
    return Reply{400, s3_error_xml("Unexpected", r.method + " " + r.target), {}};
  });
  TempDir dir;
  // ~11 MB in one batch, 5 MiB parts: three parts.
  auto r = run_capture(dir, capture_pipeline(server.endpoint(), 130000, 130000,
                                             R"(, "multipart_threshold": 5242880, "part_size": 5242880)"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> seen;
  for (const CapturedRequest& q : server.requests()) {
    std::string t = q.target.substr(q.target.find('?') == std::string::npos ? q.target.size() : q.target.find('?'));
    seen.push_back(q.method + " " + t);
  }
  const std::vector<std::string> expected = {
      "GET ?prefix=cap%2F&uploads=",
      "POST ?uploads=",
      "PUT ?partNumber=1&uploadId=up-1",
      "PUT ?partNumber=2&uploadId=up-1",  // answered 500
      "DELETE ?uploadId=up-1",            // so no parts are left behind
      "POST ?uploads=",                   // the host wrote the batch again
      "PUT ?partNumber=1&uploadId=up-2",
      "PUT ?partNumber=2&uploadId=up-2",
      "PUT ?partNumber=3&uploadId=up-2",
      "POST ?uploadId=up-2",
  };
  EXPECT_EQ(seen, expected);
  const std::vector<CapturedRequest> reqs = server.requests();
  const CapturedRequest& complete = reqs.back();
  EXPECT_NE(complete.body.find("<Part><PartNumber>3</PartNumber><ETag>&quot;etag-5&quot;</ETag></Part>"),
            std::string::npos) << complete.body;
  for (const CapturedRequest& q : reqs)
    if (q.target.find("partNumber=") != std::string::npos) {
      EXPECT_EQ(q.header("content-md5"), hex_to_base64(hex_digest("md5sum", q.body)));
      EXPECT_LE(q.body.size(), 5u << 20);
    }
}

TEST(S3SinkWire, LeftoverUploadsOfThisPipelineAreAbortedAtOpenAndOthersKept) {
  CaptureServer server([&](const CapturedRequest& r) {
    if (r.method == "GET")
      return Reply{200,
                   "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>"
                   "<Upload><Key>cap/p0/undated/1-10.jsonl</Key><UploadId>mine</UploadId></Upload>"
                   "<Upload><Key>cap/p0/undated/1-10.csv</Key><UploadId>other-format</UploadId></Upload>"
                   "<Upload><Key>cap/p0/notes.txt</Key><UploadId>someone-else</UploadId></Upload>"
                   "</ListMultipartUploadsResult>",
                   {}};
    if (r.method == "DELETE") return Reply{204, "", {}};
    return Reply{200, "", {{"ETag", "\"x\""}}};
  });
  TempDir dir;
  auto r = run_capture(dir, capture_pipeline(server.endpoint(), 0, 10, ""));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> deletes;
  for (const CapturedRequest& q : server.requests())
    if (q.method == "DELETE") deletes.push_back(q.target);
  EXPECT_EQ(deletes, std::vector<std::string>{"/cap-bucket/cap/p0/undated/1-10.jsonl?uploadId=mine"});
}
