// SigV4 signing of the s3 sink, checked against AWS's published examples
// ("Signature Calculations for the Authorization Header: Transferring Payload
// in a Single Chunk", S3 API reference: GET Object, PUT Object, GET Bucket
// Lifecycle, GET Bucket (List Objects)), because s3rver verifies no V4
// signature.
//
// The sink signs with libcurl (CURLOPT_AWS_SIGV4). libcurl uses an
// x-amz-date header when one is present instead of the clock, so each
// example is sent, with its exact host, date, headers and body, through the
// sink's own client code (ferry-s3-probe is that code on the command line)
// to a local capture server, and the Authorization header libcurl produced is
// compared with the published one. The query strings are given unsorted and
// the key unencoded: the client's canonicalization is part of what is
// tested. Also here: the pure helpers the signing depends on.
#include <gtest/gtest.h>

#include "codec/percent.h"
#include "s3/s3_test_env.h"

// Pure C++ parts of the plugin, compiled into this test.
#include "plugins/s3/jsonl_format.cpp"
#include "plugins/s3/key_template.cpp"
#include "plugins/s3/s3_uri.cpp"
#include "plugins/s3/value_text.cpp"
#include "plugins/s3/xml_text.cpp"

namespace {

using ferry::test::s3::CapturedRequest;
using ferry::test::s3::CaptureServer;

constexpr const char* kExampleKey = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* kExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr const char* kCredential = "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request";

// Sends one request through ferry-s3-probe as virtual-hosted
// examplebucket.s3.amazonaws.com, routed to the capture server.
CapturedRequest send_example(std::vector<std::string> args) {
  CaptureServer server;
  std::vector<std::string> argv = {ferry::test::s3::probe_binary(),
                                   "--endpoint", "http://s3.amazonaws.com",
                                   "--bucket", "examplebucket",
                                   "--virtual-host",
                                   "--connect-to",
                                   "examplebucket.s3.amazonaws.com:80:127.0.0.1:" + std::to_string(server.port()),
                                   "--amz-date", "20130524T000000Z"};
  argv.insert(argv.end(), args.begin(), args.end());
  ferry::test::ProcessResult r = ferry::test::run_process(
      argv, {std::string("AWS_ACCESS_KEY_ID=") + kExampleKey, std::string("AWS_SECRET_ACCESS_KEY=") + kExampleSecret});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<CapturedRequest> got = server.requests();
  if (got.size() != 1) {
    ADD_FAILURE() << "expected one request, got " << got.size() << "; " << r.err;
    return {};
  }
  return got[0];
}

std::string authorization(const std::string& signed_headers, const std::string& signature) {
  // libcurl separates the three parts with ", " (AWS accepts either).
  return std::string("AWS4-HMAC-SHA256 Credential=") + kCredential + ", SignedHeaders=" + signed_headers +
         ", Signature=" + signature;
}

}  // namespace

TEST(S3SigV4, PublishedGetObjectExample) {
  CapturedRequest r = send_example({"-H", "Range: bytes=0-9", "request", "GET", "test.txt"});
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/test.txt");
  EXPECT_EQ(r.header("host"), "examplebucket.s3.amazonaws.com");
  EXPECT_EQ(r.header("x-amz-content-sha256"), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(r.header("authorization"),
            authorization("host;range;x-amz-content-sha256;x-amz-date",
                          "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
}

TEST(S3SigV4, PublishedPutObjectExample) {
  // The key "test$file.text" must be sent (and signed) as /test%24file.text,
  // and the payload hash computed by the client from the body.
  CapturedRequest r = send_example({"-H", "Date: Fri, 24 May 2013 00:00:00 GMT", "-H",
                                    "x-amz-storage-class: REDUCED_REDUNDANCY", "--body", "Welcome to Amazon S3.",
                                    "request", "PUT", "test$file.text"});
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.target, "/test%24file.text");
  EXPECT_EQ(r.body, "Welcome to Amazon S3.");
  EXPECT_EQ(r.header("x-amz-content-sha256"), "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(r.header("authorization"),
            authorization("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                          "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"));
}

TEST(S3SigV4, PublishedGetBucketLifecycleExample) {
  // A sub-resource without a value: S3 signs "lifecycle=", libcurl 7.88
  // signs the query as written, so the client must write the "=".
  CapturedRequest r = send_example({"-q", "lifecycle", "request", "GET", "/"});
  EXPECT_EQ(r.target, "/?lifecycle=");
  EXPECT_EQ(r.header("authorization"),
            authorization("host;x-amz-content-sha256;x-amz-date",
                          "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"));
}

TEST(S3SigV4, PublishedListObjectsExampleGivenUnsorted) {
  // Given as prefix, max-keys: the client must sort (libcurl 7.88 does not).
  CapturedRequest r = send_example({"-q", "prefix=J", "-q", "max-keys=2", "request", "GET", "/"});
  EXPECT_EQ(r.target, "/?max-keys=2&prefix=J");
  EXPECT_EQ(r.header("authorization"),
            authorization("host;x-amz-content-sha256;x-amz-date",
                          "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
}

TEST(S3SigV4, SessionTokenIsSentAndSigned) {
  CaptureServer server;
  ferry::test::ProcessResult r = ferry::test::run_process(
      {ferry::test::s3::probe_binary(), "--endpoint", server.endpoint(), "--bucket", "b-1", "request", "GET", "k"},
      {"AWS_ACCESS_KEY_ID=AKID", "AWS_SECRET_ACCESS_KEY=SECRETSECRET", "AWS_SESSION_TOKEN=TOKEN-123"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(server.requests().size(), 1u);
  CapturedRequest req = server.requests()[0];
  EXPECT_EQ(req.header("x-amz-security-token"), "TOKEN-123");
  EXPECT_NE(req.header("authorization").find("x-amz-security-token"), std::string::npos);
  EXPECT_EQ(req.target, "/b-1/k");  // path style for a custom endpoint
}

// ---------------------------------------------------------------------------
// The canonicalization the signatures above depend on.

TEST(S3Canonical, UriEncodeKeepsOnlyUnreservedBytes) {
  const auto uri_encode = [](std::string_view s, bool keep_slash) {
    return ferry::support::percent_encode(s, keep_slash);
  };
  EXPECT_EQ(uri_encode("a-b_c.d~e", false), "a-b_c.d~e");
  EXPECT_EQ(uri_encode("a b/c+d=\xC3\xA9*", false), "a%20b%2Fc%2Bd%3D%C3%A9%2A");
  EXPECT_EQ(uri_encode("dir/sub dir/file$.txt", true), "dir/sub%20dir/file%24.txt");
}

TEST(S3Canonical, QueryIsSortedEncodedAndKeepsEmptyValues) {
  using ferry_s3::canonical_query;
  EXPECT_EQ(canonical_query({{"uploads", ""}, {"prefix", "a/b c"}}), "prefix=a%2Fb%20c&uploads=");
  EXPECT_EQ(canonical_query({{"uploadId", "x+y"}, {"partNumber", "10"}}), "partNumber=10&uploadId=x%2By");
  EXPECT_EQ(canonical_query({{"b", "2"}, {"a", "z"}, {"a", "1"}}), "a=1&a=z&b=2");
  EXPECT_EQ(canonical_query({}), "");
}

TEST(S3Canonical, XmlTextFindsElementsAndDecodesEntities) {
  const std::string xml =
      "<Error><Code>NoSuchBucket</Code><Message>a &lt;b&gt; &amp; &#233;</Message><UploadIdMarker/>"
      "<Upload><Key>k1</Key><UploadId>u1</UploadId></Upload><Upload><Key>k2</Key><UploadId>u2</UploadId></Upload>"
      "</Error>";
  EXPECT_EQ(ferry_s3::xml_text(xml, "Code").value_or("?"), "NoSuchBucket");
  EXPECT_EQ(ferry_s3::xml_text(xml, "Message").value_or("?"), "a <b> & \xC3\xA9");
  EXPECT_EQ(ferry_s3::xml_text(xml, "UploadIdMarker").value_or("?"), "");
  EXPECT_FALSE(ferry_s3::xml_text(xml, "Nope"));
  auto uploads = ferry_s3::xml_blocks(xml, "Upload");
  ASSERT_EQ(uploads.size(), 2u);
  EXPECT_EQ(ferry_s3::xml_text(uploads[1], "UploadId").value_or("?"), "u2");
}

// ---------------------------------------------------------------------------
// Key templates: deterministic by construction.

TEST(S3KeyTemplate, DefaultTemplateRendersEveryField) {
  ferry_s3::KeyTemplate t(ferry_s3::kDefaultKeyTemplate, "exports/daily", "orders", "jsonl.gz");
  EXPECT_EQ(t.render({"p0", "2024-01-02", "1", "1000"}), "exports/daily/orders/p0/2024-01-02/1-1000.jsonl.gz");
  EXPECT_EQ(t.render({"p0", "", "1", "1000"}), "exports/daily/orders/p0/undated/1-1000.jsonl.gz");
  // No prefix: no empty path segment.
  ferry_s3::KeyTemplate bare(ferry_s3::kDefaultKeyTemplate, "", "orders", "csv");
  EXPECT_EQ(bare.render({"p1", "", "7", "9"}), "orders/p1/undated/7-9.csv");
}

// A backfill window's start, for sources whose positions repeat from one
// window to the next (and windows shorter than a day share their date).
TEST(S3KeyTemplate, WindowStartNamesTheWindow) {
  ferry_s3::KeyTemplate t("{partition}/{window_start}/{first_position}-{last_position}", "", "p", "x");
  EXPECT_TRUE(t.names_window_start());
  EXPECT_FALSE(t.names_data_date());
  EXPECT_EQ(t.render({"p0", "2026-01-01", "1", "9", "2026-01-01T12:00:00Z"}), "p0/20260101T120000Z/1-9");
  EXPECT_EQ(t.render({"p0", "", "1", "9"}), "p0/unwindowed/1-9");
  ferry_s3::KeyTemplate d(ferry_s3::kDefaultKeyTemplate, "", "p", "x");
  EXPECT_FALSE(d.names_window_start());
  EXPECT_TRUE(d.names_data_date());
}

TEST(S3KeyTemplate, UnsafeValuesAreReplacedAndHashed) {
  ferry_s3::KeyTemplate t("{partition}/{first_position}-{last_position}", "", "p", "x");
  const std::string a = t.render({"data/in/a b.csv", "", "0", "100"});
  const std::string b = t.render({"data_in_a_b.csv", "", "0", "100"});
  EXPECT_EQ(a.rfind("data_in_a_b.csv_", 0), 0u) << a;  // sanitized, hash suffix
  EXPECT_EQ(b, "data_in_a_b.csv/0-100");                 // already safe: unchanged
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find('/'), a.rfind('/'));  // a partition never adds path segments
  // Long positions are cut and hashed; the same input always gives the same key.
  const std::string long_pos(500, '9');
  EXPECT_LT(t.render({"p", "", long_pos, long_pos}).size(), 200u);
  EXPECT_EQ(t.render({"p", "", long_pos, "1"}), t.render({"p", "", long_pos, "1"}));
}

TEST(S3KeyTemplate, NonDeterministicFieldsAreRefusedWithTheReason) {
  for (const char* bad : {"{prefix}/{now}/{partition}/{first_position}", "{date}/{partition}/{first_position}",
                          "{partition}/{uuid}-{first_position}", "{partition}/{first_position}-{random}",
                          "{timestamp}/{partition}/{first_position}", "{run_id}/{partition}/{first_position}"}) {
    try {
      ferry_s3::KeyTemplate t(bad, "", "p", "jsonl");
      ADD_FAILURE() << bad << " was accepted";
    } catch (const ferry::Error& e) {
      EXPECT_EQ(e.status(), FERRY_ERROR_CONFIG);
      EXPECT_NE(std::string(e.what()).find("object names must be deterministic"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("overwrites its own object"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(ferry_s3::KeyTemplate("{partition}/{first_position}/{bogus}", "", "p", "x"), ferry::Error);
  // Two batches must never share a key.
  EXPECT_THROW(ferry_s3::KeyTemplate("{prefix}/{partition}.{ext}", "", "p", "x"), ferry::Error);
  EXPECT_THROW(ferry_s3::KeyTemplate("{first_position}.{ext}", "", "p", "x"), ferry::Error);
}

TEST(S3KeyTemplate, RecognisesOnlyItsOwnKeysForCleanup) {
  ferry_s3::KeyTemplate t(ferry_s3::kDefaultKeyTemplate, "exp", "orders", "jsonl");
  EXPECT_EQ(t.fixed_prefix(), "exp/orders/");
  EXPECT_TRUE(t.could_produce(t.render({"p3", "", "10", "20"})));
  EXPECT_TRUE(t.could_produce("exp/orders/p_x_0badf00d/undated/1-2.jsonl"));
  EXPECT_FALSE(t.could_produce("exp/orders/p3/undated/1-2.csv"));           // other format
  EXPECT_FALSE(t.could_produce("exp/orders-old/p3/undated/1-2.jsonl"));     // other pipeline
  EXPECT_FALSE(t.could_produce("exp/orders/p3/extra/undated/1-2.jsonl"));   // other shape
  EXPECT_FALSE(t.could_produce("exp/orders/p3/undated/1-2.jsonl.bak"));
}

// A row JSON cannot hold is left out with the reason; the rows around it
// are written.
TEST(S3Jsonl, RowsJsonCannotHoldAreRefusedWithTheReason) {
  ferry::BatchBuilder b;
  b.add_field("id", FERRY_TYPE_INT64);
  b.add_field("x", FERRY_TYPE_DOUBLE);
  b.add_field("s", FERRY_TYPE_STRING);
  b.add_field("j", FERRY_TYPE_JSON);
  struct Variant {
    double x;
    const char* s;
    const char* j;
  };
  int64_t id = 0;
  for (const Variant& v : {Variant{0.5, "a", "{}"}, Variant{INFINITY, "a", "{}"}, Variant{0.5, "a\xC3", "{}"},
                           Variant{0.5, "a", "{\"k\""}, Variant{1.5, "b", "[1]"}}) {
    const size_t r = b.add_row("", std::to_string(++id));
    b.set_int(r, 0, id);
    b.set_double(r, 1, v.x);
    b.set_string(r, 2, v.s);
    b.set_bytes(r, 3, FERRY_TYPE_JSON, v.j);
  }
  FerryBatch out{};
  b.finish(&out, "p", "5");
  std::string body;
  std::vector<ferry_s3::RefusedRow> refused;
  ferry_s3::append_jsonl_rows(body, ferry::BatchView(&out), {}, refused);
  out.release(&out);
  EXPECT_EQ(body, "{\"id\":1,\"x\":0.5,\"s\":\"a\",\"j\":{}}\n{\"id\":5,\"x\":1.5,\"s\":\"b\",\"j\":[1]}\n");
  ASSERT_EQ(refused.size(), 3u);
  EXPECT_EQ(refused[0].row, 1u);
  EXPECT_EQ(refused[0].why, "field 'x': inf has no JSON form");
  EXPECT_EQ(refused[1].row, 2u);
  EXPECT_EQ(refused[1].why, "field 's': the text is not valid UTF-8");
  EXPECT_EQ(refused[2].row, 3u);
  EXPECT_EQ(refused[2].why, "field 'j': the value is not valid JSON");
}

// JSON over several lines becomes one line with its numbers as written.
TEST(S3Jsonl, MultiLineJsonKeepsItsNumbersAsWritten) {
  ferry::BatchBuilder b;
  b.add_field("j", FERRY_TYPE_JSON);
  const size_t r = b.add_row("", "1");
  b.set_bytes(r, 0, FERRY_TYPE_JSON, "[1.10,\n 123456789012345678901234567890,\r\n \"x y\"]");
  FerryBatch out{};
  b.finish(&out, "p", "1");
  std::string body;
  std::vector<ferry_s3::RefusedRow> refused;
  ferry_s3::append_jsonl_rows(body, ferry::BatchView(&out), {}, refused);
  out.release(&out);
  EXPECT_TRUE(refused.empty());
  EXPECT_EQ(body, "{\"j\":[1.10,123456789012345678901234567890,\"x y\"]}\n");
}
