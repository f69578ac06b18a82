// The Elasticsearch sink's JSON value text: timestamps in the ISO 8601 form
// Elasticsearch's date parser (java.time) reads, whatever the year.
#include <gtest/gtest.h>

#include "plugins/elasticsearch/document.cpp"
#include "plugins/elasticsearch/json_text.cpp"
#include "plugins/elasticsearch/options.cpp"

namespace ferry_es {
namespace {

std::string iso(int64_t micros) {
  std::string out;
  append_iso8601_micros(out, micros);
  return out;
}

TEST(EsDocumentText, TimestampsAreIso8601WithMicroseconds) {
  EXPECT_EQ(iso(1704164645123456), "\"2024-01-02T03:04:05.123456Z\"");
  EXPECT_EQ(iso(-1), "\"1969-12-31T23:59:59.999999Z\"");
}

TEST(EsDocumentText, YearsOutside0000To9999HaveASignAndFourDigitsAtLeast) {
  EXPECT_EQ(iso(-62198755200000000), "\"-0001-01-01T00:00:00.000000Z\"");
  EXPECT_EQ(iso(-62167219200000000), "\"0000-01-01T00:00:00.000000Z\"");
  EXPECT_EQ(iso(253402300800000000), "\"+10000-01-01T00:00:00.000000Z\"");
  EXPECT_EQ(iso(std::numeric_limits<int64_t>::min()), "\"-290308-12-21T19:59:05.224192Z\"");
}

// A JSON value over several lines goes into the bulk body as one line (a
// line break would split the NDJSON framing) with its numbers as written:
// 1.10 stays 1.10 and a 30-digit integer keeps every digit.
TEST(EsDocumentText, MultiLineJsonKeepsItsNumbersAsWritten) {
  ferry::BatchBuilder b;
  b.add_field("j", FERRY_TYPE_JSON);
  const size_t r = b.add_row("", "k1");
  b.set_bytes(r, 0, FERRY_TYPE_JSON, "{\n \"a\": 1.10,\r\n \"b\": 123456789012345678901234567890\n}");
  FerryBatch out{};
  b.finish(&out, "p", "1");
  const DocumentEncoder encoder(ferry::BatchView(&out), Options{});
  std::string id, body, error;
  ASSERT_TRUE(encoder.id_of(0, id, error)) << error;
  ASSERT_TRUE(encoder.append(0, id, body, error)) << error;
  out.release(&out);
  EXPECT_NE(body.find("\n{\"j\":{\"a\":1.10,\"b\":123456789012345678901234567890}}\n"), std::string::npos) << body;
}

// With id_field set, a record whose field is null or empty has no _id of
// its own: Elasticsearch would make one up, and every re-delivery would add
// a copy. It is refused (to the DLQ), not written keyless.
TEST(EsDocumentText, ANullOrEmptyIdFieldIsRefusedNotGivenAGeneratedId) {
  ferry::BatchBuilder b;
  b.add_field("doc", FERRY_TYPE_STRING);
  b.add_row("k1", "1");  // doc null
  const size_t r = b.add_row("k2", "2");
  b.set_string(r, 0, "");
  const size_t ok = b.add_row("k3", "3");
  b.set_string(ok, 0, "d3");
  FerryBatch out{};
  b.finish(&out, "p", "3");
  Options opts;
  opts.id_field = "doc";
  const DocumentEncoder encoder(ferry::BatchView(&out), opts);
  std::string id, error;
  EXPECT_FALSE(encoder.id_of(0, id, error));
  EXPECT_EQ(error, "the id field 'doc' is null, so the record has no document id");
  error.clear();
  EXPECT_FALSE(encoder.id_of(1, id, error));
  EXPECT_EQ(error, "the id field 'doc' is empty, so the record has no document id");
  EXPECT_TRUE(encoder.id_of(2, id, error)) << error;
  EXPECT_EQ(id, "d3");
  out.release(&out);
}

}  // namespace
}  // namespace ferry_es
