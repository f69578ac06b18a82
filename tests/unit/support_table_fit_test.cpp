// support/sql/table_fit: what the SQL sinks share about a batch's columns.
#include <gtest/gtest.h>

#include <ferry/testing/values.hpp>
#include <sql/table_fit.h>

namespace {

std::string signature_of(const std::vector<std::string>& names) {
  std::vector<ferry::testing::Column> columns;
  for (const std::string& n : names) columns.push_back({n, FERRY_TYPE_STRING, 0});
  const ferry::testing::OwnedBatch batch = ferry::testing::make_batch(columns, {});
  return ferry::support::column_signature(ferry::BatchView(&batch.get()));
}

// A statement prepared for one column list is reused only for the same list.
TEST(SupportTableFit, AColumnSignatureTellsColumnListsApart) {
  EXPECT_EQ(signature_of({"id", "name"}), "2:id4:name");
  EXPECT_EQ(signature_of({"id", "name"}), signature_of({"id", "name"}));
  EXPECT_NE(signature_of({"id", "name"}), signature_of({"name", "id"}));
  // No name can fake a boundary: "a1:b" is one column, not two.
  EXPECT_NE(signature_of({"a1:b"}), signature_of({"a", "b"}));
  EXPECT_NE(signature_of({"ab", "c"}), signature_of({"a", "bc"}));
  EXPECT_EQ(signature_of({}), "");
}

}  // namespace
