// The generator source through its C ABI: determinism, partitioning,
// batching and resuming from a position.
#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "support/plugin_harness.h"

namespace {

using ferry::test::Drained;
using ferry::test::OpenParams;
using ferry::test::Plugin;
using ferry::test::Row;
using ferry::test::SourceHandle;
using ferry::test::Value;

constexpr int64_t kEpoch = 1700000000000000;

class GeneratorSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plugin_ = std::make_unique<Plugin>(ferry::test::plugin_path("generator"));
  }
  std::unique_ptr<SourceHandle> open(const std::string& config, uint64_t batch = 1000) {
    OpenParams params;
    params.config_json = config;
    params.max_batch_records = batch;
    auto source = std::make_unique<SourceHandle>(*plugin_, params);
    EXPECT_EQ(source->open_status(), FERRY_OK) << source->host().last_error();
    return source;
  }

  std::unique_ptr<Plugin> plugin_;
};

TEST_F(GeneratorSourceTest, DescriptorIsASource) {
  EXPECT_STREQ(plugin_->descriptor().name, "generator");
  ASSERT_NE(plugin_->kind(FERRY_KIND_SOURCE), nullptr);
  EXPECT_EQ(plugin_->api().sink, nullptr);
}

TEST_F(GeneratorSourceTest, DefaultRowsHaveTheDocumentedValues) {
  auto source = open(R"({"count":3})");
  const Drained d = source->drain("p0");
  ASSERT_EQ(d.status, FERRY_END_OF_STREAM) << source->host().last_error();
  ASSERT_EQ(d.columns.size(), 4u);
  EXPECT_EQ(d.columns[0].name, "id");
  EXPECT_EQ(d.columns[0].type, FERRY_TYPE_INT64);
  EXPECT_EQ(d.columns[0].flags & FERRY_FIELD_KEY, FERRY_FIELD_KEY);
  EXPECT_EQ(d.columns[1].name, "name");
  EXPECT_EQ(d.columns[1].type, FERRY_TYPE_STRING);
  EXPECT_EQ(d.columns[2].name, "amount");
  EXPECT_EQ(d.columns[2].type, FERRY_TYPE_DOUBLE);
  EXPECT_EQ(d.columns[3].name, "ts");
  EXPECT_EQ(d.columns[3].type, FERRY_TYPE_TIMESTAMP);

  ASSERT_EQ(d.rows.size(), 3u);
  for (int64_t id = 1; id <= 3; ++id) {
    Row expect;
    expect.values = {Value::int64(id), Value::string("name-" + std::to_string(id)),
                     Value::real(static_cast<double>(id) * 0.25),
                     Value::timestamp(kEpoch + id * 1000)};
    expect.key = std::to_string(id);
    expect.position = std::to_string(id);
    EXPECT_EQ(d.rows[static_cast<size_t>(id - 1)], expect);
  }
  EXPECT_EQ(d.end_position, "3");
}

TEST_F(GeneratorSourceTest, OutputIsDeterministic) {
  for (const char* config : {R"({"count":5000,"partitions":3})", R"({"count":5000,"seed":42})"}) {
    auto a = open(config, 700);
    auto b = open(config, 700);
    for (const std::string& p : a->partitions()) {
      const Drained da = a->drain(p);
      const Drained db = b->drain(p);
      ASSERT_EQ(da.status, FERRY_END_OF_STREAM);
      EXPECT_EQ(da.rows, db.rows) << config << " " << p;
    }
  }
}

TEST_F(GeneratorSourceTest, SeedChangesValuesButNotIds) {
  auto plain = open(R"({"count":100})");
  auto seeded = open(R"({"count":100,"seed":7})");
  auto other = open(R"({"count":100,"seed":8})");
  const Drained a = plain->drain("p0");
  const Drained b = seeded->drain("p0");
  const Drained c = other->drain("p0");
  ASSERT_EQ(b.rows.size(), 100u);
  size_t differing = 0;
  for (size_t i = 0; i < b.rows.size(); ++i) {
    EXPECT_EQ(b.rows[i].values[0], a.rows[i].values[0]);
    EXPECT_EQ(b.rows[i].key, a.rows[i].key);
    if (b.rows[i].values[1] != a.rows[i].values[1] && b.rows[i].values[1] != c.rows[i].values[1])
      ++differing;
  }
  EXPECT_EQ(differing, b.rows.size());
}

TEST_F(GeneratorSourceTest, PartitionsSplitRowsEvenly) {
  auto source = open(R"({"count":10,"partitions":3})");
  EXPECT_EQ(source->partitions(), (std::vector<std::string>{"p0", "p1", "p2"}));
  std::vector<int64_t> ids;
  std::vector<size_t> sizes;
  for (const std::string& p : source->partitions()) {
    const Drained d = source->drain(p);
    ASSERT_EQ(d.status, FERRY_END_OF_STREAM);
    sizes.push_back(d.rows.size());
    EXPECT_EQ(source->estimate(p).first, d.rows.size());
    for (const Row& r : d.rows) ids.push_back(r.values[0].i);
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{4, 3, 3}));
  std::vector<int64_t> expect(10);
  std::iota(expect.begin(), expect.end(), 1);
  EXPECT_EQ(ids, expect);
}

TEST_F(GeneratorSourceTest, CountIsExactAcrossPartitionsAndBatches) {
  auto source = open(R"({"count":12345,"partitions":4})", 1000);
  size_t total = 0;
  for (const std::string& p : source->partitions()) {
    const Drained d = source->drain(p);
    ASSERT_EQ(d.status, FERRY_END_OF_STREAM);
    for (size_t n : d.batch_sizes) EXPECT_LE(n, 1000u);
    total += d.rows.size();
  }
  EXPECT_EQ(total, 12345u);
}

TEST_F(GeneratorSourceTest, BatchesFollowMaxBatchRecords) {
  auto source = open(R"({"count":2500})", 1000);
  ASSERT_EQ(source->start("p0"), FERRY_OK);
  std::vector<std::string> ends;
  for (;;) {
    ferry::test::OwnedBatch batch;
    const FerryStatus st = source->next(&batch);
    if (st == FERRY_END_OF_STREAM) break;
    ASSERT_EQ(st, FERRY_OK);
    EXPECT_EQ(ferry::view(batch->partition), "p0");
    ends.emplace_back(ferry::view(batch->end_position));
  }
  EXPECT_EQ(ends, (std::vector<std::string>{"1000", "2000", "2500"}));
}

// Ids are spelt by incrementing their digits in place: every carry (9 to
// 10, 999 to 1000, a batch ending on 99 or starting on 100) must spell the
// same text as formatting the number afresh.
TEST_F(GeneratorSourceTest, IdsAreSpeltExactlyAcrossEveryCarry) {
  auto source = open(R"({"count":10100})", 99);
  ASSERT_EQ(source->start("p0"), FERRY_OK);
  int64_t id = 0;
  for (;;) {
    ferry::test::OwnedBatch batch;
    const FerryStatus st = source->next(&batch);
    if (st == FERRY_END_OF_STREAM) break;
    ASSERT_EQ(st, FERRY_OK);
    const ferry::BatchView view(&batch.get());
    for (size_t r = 0; r < view.rows(); ++r) {
      ++id;
      const std::string text = std::to_string(id);
      ASSERT_EQ(view.key(r), text);
      ASSERT_EQ(view.position(r), text);
      ASSERT_EQ(view.value(r, 0).as.i64, id);
      ASSERT_EQ(ferry::view(view.value(r, 1).as.bytes), "name-" + text);
    }
    ASSERT_EQ(ferry::view(batch->end_position), std::to_string(id));
  }
  EXPECT_EQ(id, 10100);
}

TEST_F(GeneratorSourceTest, ResumesRightAfterAPosition) {
  auto source = open(R"({"count":3000,"partitions":2})", 400);
  const Drained full = source->drain("p1");
  ASSERT_EQ(full.status, FERRY_END_OF_STREAM);

  const Drained head = source->drain("p1", std::nullopt, 2);
  ASSERT_EQ(head.status, FERRY_OK);
  ASSERT_EQ(head.rows.size(), 800u);
  EXPECT_EQ(head.end_position, "2300");  // p1 holds ids 1501..3000

  auto restarted = open(R"({"count":3000,"partitions":2})", 400);
  const Drained tail = restarted->drain("p1", head.end_position);
  ASSERT_EQ(tail.status, FERRY_END_OF_STREAM);
  std::vector<Row> joined = head.rows;
  joined.insert(joined.end(), tail.rows.begin(), tail.rows.end());
  EXPECT_EQ(joined, full.rows);
}

TEST_F(GeneratorSourceTest, ResumeAtTheEndReadsNothing) {
  auto source = open(R"({"count":10,"partitions":2})");
  const Drained d = source->drain("p0", std::string("5"));
  EXPECT_EQ(d.status, FERRY_END_OF_STREAM);
  EXPECT_TRUE(d.rows.empty());
  // "Before the first row" of p1 is the last id of p0.
  EXPECT_EQ(source->drain("p1", std::string("5")).rows.size(), 5u);
}

TEST_F(GeneratorSourceTest, ForeignPositionsAndPartitionsAreRejected) {
  auto source = open(R"({"count":10,"partitions":2})");
  for (const char* pos : {"x", "6", "7", "-1", "12", "3 ", "+1"}) {
    EXPECT_EQ(source->start("p0", std::string(pos)), FERRY_ERROR_CONFIG) << pos;
  }
  EXPECT_NE(source->host().last_error().find("partition 'p0'"), std::string::npos)
      << source->host().last_error();
  EXPECT_EQ(source->start("p2"), FERRY_ERROR_CONFIG);
  EXPECT_EQ(source->start("p00"), FERRY_ERROR_CONFIG);
  EXPECT_EQ(source->start("q0"), FERRY_ERROR_CONFIG);
}

TEST_F(GeneratorSourceTest, FieldsCycleThroughTheKinds) {
  auto source = open(R"({"count":1,"fields":8,"key":false})");
  const Drained d = source->drain("p0");
  std::vector<std::string> names;
  for (const auto& c : d.columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "name", "amount", "ts", "name_2", "amount_2",
                                             "ts_2", "name_3"}));
  ASSERT_EQ(d.rows.size(), 1u);
  EXPECT_EQ(d.rows[0].key, "");
  EXPECT_EQ(d.rows[0].values[4], Value::string("name-1"));
  EXPECT_EQ(d.columns[0].flags & FERRY_FIELD_KEY, 0u);
}

TEST_F(GeneratorSourceTest, ZeroRowsEndAtOnce) {
  auto source = open(R"({"count":0,"partitions":2})");
  EXPECT_EQ(source->drain("p1").status, FERRY_END_OF_STREAM);
  EXPECT_EQ(source->estimate("p1").first, 0u);
}

TEST_F(GeneratorSourceTest, BadOptionsFailTheOpen) {
  for (const char* config : {R"({"count":-1})", R"({"partitions":0})", R"({"fields":0})",
                             R"({"key":"yes"})", R"({"rows":5})", R"([1])"}) {
    OpenParams params;
    params.config_json = config;
    SourceHandle source(*plugin_, params);
    EXPECT_EQ(source.open_status(), FERRY_ERROR_CONFIG) << config;
    EXPECT_FALSE(source.host().last_error().empty());
  }
}

TEST_F(GeneratorSourceTest, NextBeforeStartIsAnError) {
  auto source = open("{}");
  ferry::test::OwnedBatch batch;
  EXPECT_EQ(source->next(&batch), FERRY_ERROR_INTERNAL);
}

}  // namespace
