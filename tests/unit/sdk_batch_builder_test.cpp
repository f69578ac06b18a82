// The C++ builder recycles the storage of batches the host released, and
// makes null values ahead of the rows: neither may show in a batch. A
// value left unset is null, whatever the recycled storage held; schema,
// keys and positions are the batch's own.
#include <gtest/gtest.h>

#include <ferry/plugin.hpp>

#include <string>
#include <vector>

namespace {

struct Built {
  FerryBatch batch{};
  Built() { batch.struct_size = sizeof batch; }
  Built(const Built&) = delete;
  Built& operator=(const Built&) = delete;
  ~Built() {
    if (batch.release) batch.release(&batch);
  }
};

TEST(SdkBatchBuilder, AValueLeftUnsetIsNullInARecycledBatch) {
  ferry::BatchBuilder b;
  const size_t id = b.add_field("id", FERRY_TYPE_INT64);
  const size_t name = b.add_field("name", FERRY_TYPE_STRING);
  for (int round = 0; round < 3; ++round) {
    {
      // Every value set: the storage goes back full of non-null values.
      for (int r = 0; r < 50; ++r) {
        const size_t row = b.add_row("k" + std::to_string(r), "p" + std::to_string(r));
        b.set_int(row, id, r);
        b.set_string(row, name, "n" + std::to_string(r));
      }
      Built full;
      b.finish(&full.batch, "part", "49");
      ASSERT_EQ(full.batch.n_rows, 50u);
    }
    // The next batch takes that storage: only what it sets is set.
    for (int r = 0; r < 40; ++r) {
      const size_t row = b.add_row("x" + std::to_string(r), "x" + std::to_string(r));
      if (r % 2 == 0) b.set_int(row, id, 1000 + r);
    }
    Built sparse;
    b.finish(&sparse.batch, "other", "39");
    ferry::BatchView v(&sparse.batch);
    ASSERT_EQ(v.rows(), 40u);
    ASSERT_EQ(v.fields(), 2u);
    EXPECT_EQ(v.field_name(0), "id");
    EXPECT_EQ(v.field_name(1), "name");
    EXPECT_EQ(v.partition(), "other");
    EXPECT_EQ(v.end_position(), "39");
    for (size_t r = 0; r < 40; ++r) {
      EXPECT_EQ(v.key(r), "x" + std::to_string(r));
      EXPECT_EQ(v.position(r), "x" + std::to_string(r));
      if (r % 2 == 0) {
        EXPECT_EQ(v.value(r, id).type, FERRY_TYPE_INT64);
        EXPECT_EQ(v.value(r, id).as.i64, static_cast<int64_t>(1000 + r));
      } else {
        EXPECT_EQ(v.value(r, id).type, FERRY_TYPE_NULL) << "round " << round << ", row " << r;
      }
      EXPECT_EQ(v.value(r, name).type, FERRY_TYPE_NULL) << "round " << round << ", row " << r;
    }
  }
}

// Batches held at once (a queue of them) never share storage.
TEST(SdkBatchBuilder, BatchesHeldAtOnceKeepTheirOwnValues) {
  ferry::BatchBuilder b;
  const size_t f = b.add_field("v", FERRY_TYPE_STRING);
  std::vector<Built> held(8);
  for (int n = 0; n < 8; ++n) {
    for (int r = 0; r < 100; ++r) b.set_string(b.add_row(), f, std::to_string(n) + ":" + std::to_string(r));
    b.finish(&held[n].batch, "p", std::to_string(n));
    if (n == 3) {  // some come back meanwhile
      held[0].batch.release(&held[0].batch);
      held[1].batch.release(&held[1].batch);
    }
  }
  for (int n = 2; n < 8; ++n) {
    ferry::BatchView v(&held[n].batch);
    ASSERT_EQ(v.rows(), 100u);
    for (size_t r = 0; r < 100; ++r)
      EXPECT_EQ(ferry::view(v.value(r, f).as.bytes), std::to_string(n) + ":" + std::to_string(r));
  }
}

// While a finished batch waits for the host, the builder holds no storage
// of its own: the next batch takes storage when it gets its first row, so
// it can take the very storage the host has just released. (Taking it at
// finish() kept a second batch's memory idle for as long as the host's
// queue was full.)
TEST(SdkBatchBuilder, TheNextBatchTakesStorageOnlyWhenItStarts) {
  ferry::BatchBuilder b;
  const size_t f = b.add_field("v", FERRY_TYPE_INT64);
  // Batches held meanwhile empty the shared pool of released storage.
  std::vector<Built> held(6);
  for (Built& h : held) {
    b.set_int(b.add_row(), f, 1);
    b.finish(&h.batch, "p", "1");
  }
  Built first;
  for (int r = 0; r < 10; ++r) b.set_int(b.add_row(), f, r);
  b.finish(&first.batch, "p", "a");
  const FerryValue* storage = first.batch.values;
  first.batch.release(&first.batch);
  first.batch.release = nullptr;

  for (int r = 0; r < 10; ++r) b.set_int(b.add_row(), f, 100 + r);
  Built second;
  b.finish(&second.batch, "p", "b");
  EXPECT_EQ(second.batch.values, storage);
  ferry::BatchView v(&second.batch);
  ASSERT_EQ(v.rows(), 10u);
  for (size_t r = 0; r < 10; ++r) EXPECT_EQ(v.value(r, f).as.i64, static_cast<int64_t>(100 + r));
}

// The schema carries over to the next batches, with what the plugin set on
// a field after adding it, even to a batch finished without rows.
TEST(SdkBatchBuilder, TheSchemaAsChangedCarriesOver) {
  ferry::BatchBuilder b;
  b.add_field("id", FERRY_TYPE_INT64);
  b.add_field("note", FERRY_TYPE_STRING);
  b.field(0).flags = FERRY_FIELD_KEY;
  EXPECT_EQ(b.field_count(), 2u);
  for (int round = 0; round < 3; ++round) {
    if (round != 1) b.set_int(b.add_row("1", "1"), 0, 1);
    Built out;
    b.finish(&out.batch, "p", "1");
    EXPECT_EQ(b.field_count(), 2u);
    EXPECT_EQ(b.rows(), 0u);
    ferry::BatchView v(&out.batch);
    ASSERT_EQ(v.fields(), 2u) << "round " << round;
    EXPECT_EQ(v.field_name(0), "id");
    EXPECT_EQ(v.field(0).flags, static_cast<uint32_t>(FERRY_FIELD_KEY));
    EXPECT_EQ(v.field_name(1), "note");
    EXPECT_EQ(v.field(1).type, FERRY_TYPE_STRING);
    EXPECT_EQ(v.rows(), round == 1 ? 0u : 1u);
  }
}

// approx_bytes() counts the rows, not the schema: a source that stops a
// batch at max_batch_bytes must not find a batch "full" before its first
// row because its column names are long.
TEST(SdkBatchBuilder, ApproxBytesCountsRowsNotTheSchema) {
  ferry::BatchBuilder b;
  b.add_field(std::string(200, 'n'), FERRY_TYPE_STRING);
  EXPECT_EQ(b.approx_bytes(), 0u);
  b.reserve(10);
  EXPECT_EQ(b.approx_bytes(), 0u);
  b.set_string(b.add_row("k", "p"), 0, "abc");
  const size_t one_row = b.approx_bytes();
  EXPECT_EQ(one_row, sizeof(FerryValue) + sizeof(FerryRecordMeta) + 5);  // "k", "p", "abc"
  Built out;
  b.finish(&out.batch, "p", "1");
  EXPECT_EQ(b.approx_bytes(), 0u);
  b.reserve(10);
  EXPECT_EQ(b.approx_bytes(), 0u);
  b.set_string(b.add_row("k", "p"), 0, "abc");
  EXPECT_EQ(b.approx_bytes(), one_row);
}

// A key that is also the position is stored once, and reads as both.
TEST(SdkBatchBuilder, APositionThatIsTheKeyReadsAsBoth) {
  ferry::BatchBuilder b;
  b.add_field("v", FERRY_TYPE_INT64);
  const std::string id = "42";
  b.add_row(id, id);
  b.add_row("a", "b");
  Built out;
  b.finish(&out.batch, "p", "42");
  ferry::BatchView v(&out.batch);
  EXPECT_EQ(v.key(0), "42");
  EXPECT_EQ(v.position(0), "42");
  EXPECT_EQ(v.key(1), "a");
  EXPECT_EQ(v.position(1), "b");
}

}  // namespace
