// How the DLQ's stored record text is taken apart and put back together.
#include "common/stored_record.h"

#include <gtest/gtest.h>

namespace ferry::core {
namespace {

const std::string kSchema = R"([{"name":"id","type":"int64"},{"name":"s","type":"string"}])";
const std::string kRecord = R"({"schema":)" + kSchema + R"(,"values":{"id":1,"s":"]"}})";

TEST(StoredRecord, SplitAndJoinGiveBackTheSameText) {
  std::optional<SplitRecord> split = split_stored_record(kRecord);
  ASSERT_TRUE(split);
  EXPECT_EQ(split->schema, kSchema);
  EXPECT_EQ(split->rest, R"({"values":{"id":1,"s":"]"}})");
  EXPECT_EQ(join_stored_record(split->schema, split->rest), kRecord);
}

TEST(StoredRecord, ABracketInsideANameDoesNotEndTheSchema) {
  const std::string schema = R"([{"name":"a]b","type":"int64"}])";
  const std::string record = R"({"schema":)" + schema + R"(,"values":{"a]b":1}})";
  EXPECT_EQ(stored_schema_end(record), std::string(R"({"schema":)").size() + schema.size());
}

TEST(StoredRecord, TextThatDoesNotStartWithItsSchemaIsNotSplit) {
  EXPECT_FALSE(split_stored_record(R"({"values":{},"schema":[]})"));
  EXPECT_FALSE(split_stored_record(R"({"schema":[{"name":"x")"));
  EXPECT_EQ(stored_schema_end("not json"), std::string_view::npos);
}

TEST(StoredRecord, HasSchemaComparesTheWholeSchemaText) {
  EXPECT_TRUE(stored_record_has_schema(kRecord, kSchema));
  // A prefix of the schema is not the schema.
  EXPECT_FALSE(stored_record_has_schema(kRecord, kSchema.substr(0, kSchema.size() - 1)));
  EXPECT_FALSE(stored_record_has_schema(kRecord, R"([{"name":"id","type":"int64"}])"));
  EXPECT_FALSE(stored_record_has_schema(kRecord, ""));
  EXPECT_FALSE(stored_record_has_schema(R"({"values":{}})", kSchema));
}

}  // namespace
}  // namespace ferry::core
