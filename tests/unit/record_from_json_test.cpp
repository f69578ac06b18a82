// Replay rebuilds batches from the records the DLQ stored: every value
// comes back with its type, whichever way a record's text is read.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "codec/base64.h"
#include "common/error.h"
#include "engine/batch_chain.h"
#include "engine/record_from_json.h"
#include "engine/record_json.h"

namespace ferry::core {
namespace {

constexpr const char* kSchema = R"([{"name":"id","type":"int64"},{"name":"name","type":"string"}])";

std::string record(const std::string& values, const char* schema = kSchema) {
  return std::string(R"({"schema":)") + schema + R"(,"values":)" + values + "}";
}

std::vector<std::string> round_trip(const std::vector<std::string>& texts) {
  std::vector<StoredRecord> stored;
  for (size_t i = 0; i < texts.size(); ++i) stored.push_back({std::to_string(i + 1), "k", texts[i]});
  FerryBatch batch{};
  build_batch(stored, "p", "end", &batch);
  BatchChain chain(batch);
  std::vector<std::string> out;
  for (size_t r = 0; r < chain.back().n_rows; ++r) out.push_back(row_to_json(chain.back(), r));
  return out;
}

TEST(BuildBatch, RecordsSharingASchemaComeBackAsStored) {
  const std::vector<std::string> texts = {record(R"({"id":1,"name":"a"})"), record(R"({"id":2,"name":"b,\"]"})"),
                                          record(R"({"id":3,"name":null})")};
  EXPECT_EQ(round_trip(texts), texts);
}

// The schema is read from the first record; a later record whose schema
// text differs (written by another version, say) is read in full.
TEST(BuildBatch, ARecordWithOtherSchemaTextIsReadInFull) {
  const std::string spaced = R"([{"name":"id", "type":"int64"},{"name":"name","type":"string"}])";
  const std::vector<std::string> texts = {record(R"({"id":1,"name":"a"})"), record(R"({"id":2,"name":"b"})", spaced.c_str())};
  EXPECT_EQ(round_trip(texts),
            (std::vector<std::string>{texts[0], record(R"({"id":2,"name":"b"})")}));
}

TEST(BuildBatch, ADamagedRecordIsNamedByItsEntry) {
  const std::vector<std::string> texts = {record(R"({"id":1,"name":"a"})"), record(R"({"id":2,"name":)")};
  try {
    round_trip(texts);
    FAIL() << "a damaged record was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("DLQ entry 2:"), std::string::npos) << e.what();
  }
}

// JSON values are stored as their text and come back as it; a record of an
// earlier version, with the value parsed in place, still reads.
TEST(BuildBatch, JsonValuesComeBackAsTheirText) {
  constexpr const char* kJsonSchema = R"([{"name":"id","type":"int64"},{"name":"j","type":"json"}])";
  const std::string text = R"({"x":12345678901234567890123,"y":1.10,"z":-0})";
  const std::string stored = std::string(R"({"schema":)") + kJsonSchema + R"(,"values":{"id":1,"j":)" +
                             boost::json::serialize(boost::json::value(text)) + R"(},"json_values":"text"})";
  EXPECT_EQ(round_trip({stored}), std::vector<std::string>{stored});
  const std::string legacy =
      std::string(R"({"schema":)") + kJsonSchema + R"(,"values":{"id":2,"j":{"k":[1,2]}}})";
  EXPECT_EQ(round_trip({legacy}),
            std::vector<std::string>{std::string(R"({"schema":)") + kJsonSchema +
                                     R"(,"values":{"id":2,"j":"{\"k\":[1,2]}"},"json_values":"text"})"});
}

// A replayed double is the one stored: Boost.JSON alone read
// 1.2345678912345679E8 back as 123456789.1234568, one step off.
TEST(BuildBatch, DoublesComeBackAsStored) {
  constexpr const char* kDoubles = R"([{"name":"id","type":"int64"},{"name":"x","type":"double"}])";
  const std::vector<std::string> stored = {record(R"({"id":1,"x":1.2345678912345679E8})", kDoubles),
                                           record(R"({"id":2,"x":12.100000000000001})", kDoubles),
                                           record(R"({"id":3,"x":-9.633535880086937E8})", kDoubles)};
  std::vector<StoredRecord> records;
  for (size_t i = 0; i < stored.size(); ++i) records.push_back({std::to_string(i + 1), "k", stored[i]});
  FerryBatch batch{};
  build_batch(records, "p", "end", &batch);
  BatchChain chain(batch);
  ASSERT_EQ(chain.back().n_rows, 3u);
  EXPECT_EQ(chain.back().values[1].as.f64, 1.2345678912345679E8);
  EXPECT_EQ(chain.back().values[3].as.f64, 12.100000000000001);
  EXPECT_EQ(chain.back().values[5].as.f64, -9.633535880086937E8);
}

TEST(BuildBatch, TheSignatureIsTheSchemaText) {
  EXPECT_EQ(schema_signature(record(R"({"id":1,"name":"a"})")), kSchema);
  EXPECT_EQ(schema_signature(R"({"raw":"x"})"), "");
}

}  // namespace
}  // namespace ferry::core

namespace {

// A line the source could not parse is kept byte for byte, and the DLQ
// entry stays valid JSON (ferry dlq export writes it as JSON Lines) even
// when the line is not UTF-8.
TEST(RawRecordJson, TextStaysTextAndOtherBytesGoAsBase64) {
  const std::string text = "a,\"b\",caf\xC3\xA9";
  const std::string utf8 = ferry::core::raw_record_json(FerryBytes{text.data(), text.size()});
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(utf8, ec);
  ASSERT_FALSE(ec) << utf8;
  EXPECT_EQ(v.at("raw").as_string(), text);

  const std::string bytes("x\xFF\xFEy\0z", 6);
  const std::string other = ferry::core::raw_record_json(FerryBytes{bytes.data(), bytes.size()});
  const boost::json::value w = boost::json::parse(other, ec);
  ASSERT_FALSE(ec) << "not valid JSON: " << other;
  ASSERT_TRUE(w.as_object().contains("raw_base64")) << other;
  EXPECT_EQ(ferry::support::base64_decode(std::string(w.at("raw_base64").as_string())), std::optional<std::string>(bytes));
}

}  // namespace
