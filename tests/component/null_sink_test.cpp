// The null sink through its C ABI: accepts everything, counts what commits.
#include <gtest/gtest.h>

#include "support/plugin_harness.h"

namespace {

using ferry::test::Column;
using ferry::test::make_batch;
using ferry::test::OpenParams;
using ferry::test::Plugin;
using ferry::test::Row;
using ferry::test::SinkHandle;
using ferry::test::Value;

TEST(NullSinkTest, CountsCommittedRowsOnly) {
  Plugin plugin(ferry::test::plugin_path("null"));
  const FerryKindSpec* kind = plugin.kind(FERRY_KIND_SINK);
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(kind->capabilities, FERRY_CAP_IDEMPOTENT);
  EXPECT_EQ(kind->n_options, 0u);

  SinkHandle sink(plugin, OpenParams{});
  ASSERT_EQ(sink.open_status(), FERRY_OK);
  Row row;
  row.values = {Value::int64(1)};
  row.op = FERRY_OP_DELETE;  // every op is accepted
  const auto batch = make_batch({Column{"id", FERRY_TYPE_INT64}}, {row, row, row});

  std::vector<SinkHandle::Rejected> rejected;
  ASSERT_EQ(sink.write(batch, &rejected), FERRY_OK);
  EXPECT_TRUE(rejected.empty());
  ASSERT_EQ(sink.commit("p0", "3"), FERRY_OK);
  EXPECT_EQ(sink.host().counter("null_rows"), 3);

  ASSERT_EQ(sink.write(batch), FERRY_OK);
  ASSERT_EQ(sink.abort(), FERRY_OK);  // a replayed attempt is not counted twice
  ASSERT_EQ(sink.write(batch), FERRY_OK);
  ASSERT_EQ(sink.commit("p0", "6"), FERRY_OK);
  EXPECT_EQ(sink.host().counter("null_rows"), 6);
  EXPECT_EQ(sink.checkpoint("p0"), std::nullopt);
}

}  // namespace
