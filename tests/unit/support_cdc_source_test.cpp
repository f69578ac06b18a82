// What the change-data-capture sources share: the batch they build (fields
// with the key flagged, refusals to the DLQ with the row) and the calls
// around their reads (a foreign checkpoint refused before connecting, a
// lost connection made again before the next read).
#include <gtest/gtest.h>

#include <ferry/testing/plugin_harness.hpp>

#include <boost/json.hpp>

#include "cdc/cdc_source_base.h"

namespace {

using ferry::support::CdcBatch;

struct Args {
  ferry::testing::RecordingHost host;
  FerryOpenArgs args{};
  explicit Args(uint64_t max_records = 3) {
    args.struct_size = sizeof args;
    args.host = host.table();
    args.max_batch_records = max_records;
    args.max_batch_bytes = 1 << 20;
  }
  ferry::Context ctx() const { return ferry::Context(&args); }
};

// A source whose reads say what happened: each read adds one row "n".
class ToySource final : public ferry::support::CdcSourceBase {
 public:
  explicit ToySource(const ferry::Context& ctx) : CdcSourceBase(ctx, "toy-cdc", "toy-cdc source") {}
  std::vector<std::string> calls;
  FerryStatus fail_next_read = FERRY_OK;
  bool lose_after_read = false;

 private:
  std::string partition_name() const override { return "db.t"; }
  void check_position(std::string_view position) const override {
    if (position != "good") throw ferry::Error(FERRY_ERROR_CONFIG, "foreign checkpoint");
  }
  void open() override {
    calls.push_back("open " + resume().value_or("-"));
    batch_.use({"id", "v"}, {FERRY_TYPE_INT64, FERRY_TYPE_STRING}, {"id"}, "t");
  }
  void reconnect() override { calls.push_back("reconnect"); }
  bool read(FerryBatch* out) override {
    calls.push_back("read");
    if (fail_next_read != FERRY_OK) {
      const FerryStatus s = fail_next_read;
      fail_next_read = FERRY_OK;
      throw ferry::Error(s, "read failed");
    }
    if (lose_after_read) reconnect_next();
    batch_.finish(out, "p");
    return true;
  }
};

std::string joined(const std::vector<std::string>& calls) {
  std::string out;
  for (const std::string& c : calls) out += (out.empty() ? "" : ", ") + c;
  return out;
}

TEST(CdcSourceBase, AForeignCheckpointIsRefusedBeforeAnyConnection) {
  Args a;
  ToySource s(a.ctx());
  const std::string_view bad = "other";
  EXPECT_THROW(s.start("db.t", &bad), ferry::Error);
  EXPECT_TRUE(s.calls.empty());
  try {
    s.start("db.x", nullptr);
    FAIL() << "an unknown partition was started";
  } catch (const ferry::Error& e) {
    EXPECT_EQ(e.status(), FERRY_ERROR_CONFIG);
    EXPECT_EQ(std::string(e.what()), "toy-cdc source: unknown partition 'db.x'");
  }
}

TEST(CdcSourceBase, NextBeforeStartIsAnInternalError) {
  Args a;
  ToySource s(a.ctx());
  ferry::testing::OwnedBatch b;
  try {
    s.next(b.out());
    FAIL() << "next() ran before start()";
  } catch (const ferry::Error& e) {
    EXPECT_EQ(e.status(), FERRY_ERROR_INTERNAL);
  }
}

TEST(CdcSourceBase, OnlyARetryMakesTheNextCallReconnect) {
  Args a;
  ToySource s(a.ctx());
  const std::string_view good = "good";
  s.start("db.t", &good);
  ferry::testing::OwnedBatch b;
  ASSERT_TRUE(s.next(b.out()));
  s.fail_next_read = FERRY_RETRY;
  EXPECT_THROW(s.next(b.out()), ferry::Error);
  ASSERT_TRUE(s.next(b.out()));
  s.fail_next_read = FERRY_ERROR_IO;
  EXPECT_THROW(s.next(b.out()), ferry::Error);
  ASSERT_TRUE(s.next(b.out()));
  EXPECT_EQ(joined(s.calls), "open good, read, read, reconnect, read, read, read");
}

TEST(CdcSourceBase, AReadMayAskForNewConnectionsBeforeTheNext) {
  Args a;
  ToySource s(a.ctx());
  s.start("db.t", nullptr);
  s.lose_after_read = true;
  ferry::testing::OwnedBatch b;
  ASSERT_TRUE(s.next(b.out()));
  s.lose_after_read = false;
  ASSERT_TRUE(s.next(b.out()));
  ASSERT_TRUE(s.next(b.out()));
  EXPECT_EQ(joined(s.calls), "open -, read, reconnect, read, read");
}

TEST(CdcSourceBase, AnOpenThatFailsIsTriedAgainWithoutAReconnect) {
  Args a;
  struct FailingOpen final : ferry::support::CdcSourceBase {
    explicit FailingOpen(const ferry::Context& ctx) : CdcSourceBase(ctx, "t", "t") {}
    int opens = 0, reconnects = 0;
    std::string partition_name() const override { return "p"; }
    void check_position(std::string_view) const override {}
    void open() override {
      if (++opens == 1) throw ferry::Error(FERRY_RETRY, "server down");
      batch_.use({"id"}, {FERRY_TYPE_INT64}, {"id"}, "t");
    }
    void reconnect() override { ++reconnects; }
    bool read(FerryBatch* out) override {
      batch_.finish(out, "p");
      return true;
    }
  } s(a.ctx());
  s.start("p", nullptr);
  ferry::testing::OwnedBatch b;
  EXPECT_THROW(s.next(b.out()), ferry::Error);
  ASSERT_TRUE(s.next(b.out()));
  EXPECT_EQ(s.opens, 2);
  EXPECT_EQ(s.reconnects, 0);
}

struct Parsed {
  int64_t v = 0;
};

TEST(CdcBatch, ARowCarriesItsKeyAndPositionAndAnUnparsableOneGoesToTheDlqWhole) {
  Args a;
  CdcBatch batch(ferry::Host(a.host.table()), "toy-cdc", "toy-cdc source");
  batch.set_partition("db.t");
  batch.use({"v", "id", "b"}, {FERRY_TYPE_INT64, FERRY_TYPE_INT64, FERRY_TYPE_STRING}, {"id"}, "t");
  const auto parse = [](const CdcBatch::Shown& row) {
    return [&row](size_t c, Parsed* p) -> std::string {
      if (*row[c] == "x") return "not a number";
      p->v = c == 2 ? 0 : std::stoll(std::string(*row[c]));
      return "";
    };
  };
  const auto put = [](ferry::BatchBuilder& b, size_t row, size_t c, const Parsed& p) {
    if (c == 2) b.set_string(row, c, "s");
    else b.set_int(row, c, p.v);
  };
  const CdcBatch::Shown good{"5", "7", std::nullopt};
  batch.add<Parsed>(good, FERRY_OP_UPDATE, "pos1", "", parse(good), put);
  const CdcBatch::Shown bad{"x", "8", "ab"};
  batch.add<Parsed>(bad, FERRY_OP_DELETE, "pos2", "", parse(bad), put);
  batch.add<Parsed>(good, FERRY_OP_INSERT, "pos3", "a TOASTed value", parse(good), put);
  EXPECT_EQ(batch.rows(), 1u);

  ferry::testing::OwnedBatch out;
  batch.finish(out.out(), "end");
  const ferry::BatchView view(&out.get());
  ASSERT_EQ(view.rows(), 1u);
  EXPECT_EQ(view.key(0), "[\"7\"]");
  EXPECT_EQ(view.position(0), "pos1");
  EXPECT_EQ(view.meta(0).op, FERRY_OP_UPDATE);
  EXPECT_EQ(view.field(1).flags & FERRY_FIELD_KEY, FERRY_FIELD_KEY);
  EXPECT_EQ(view.field(0).flags & FERRY_FIELD_KEY, 0u);
  EXPECT_EQ(view.value(0, 0).as.i64, 5);
  EXPECT_EQ(view.value(0, 2).type, FERRY_TYPE_NULL);
  EXPECT_EQ(view.end_position(), "end");

  ASSERT_EQ(a.host.errant.size(), 2u);
  const auto& first = a.host.errant[0];
  EXPECT_EQ(first.partition, "db.t");
  EXPECT_EQ(first.position, "pos2");
  EXPECT_EQ(first.key, "[\"8\"]");
  EXPECT_EQ(boost::json::parse(first.payload), boost::json::parse(R"({"op":"delete","v":"x","id":"8","b":"ab"})"));
  EXPECT_EQ(first.message, "toy-cdc: column 'v': not a number");
  EXPECT_EQ(a.host.errant[1].message, "toy-cdc: a TOASTed value");
  EXPECT_EQ(boost::json::parse(a.host.errant[1].payload),
            boost::json::parse(R"({"op":"insert","v":"5","id":"7","b":null})"));
}

// A source may show only the key columns for the rows that land, and the
// whole row only when one is refused (bytes spelt out as hex, say).
TEST(CdcBatch, ARefusedRowIsShownWholeOnlyWhenRefused) {
  Args a;
  CdcBatch batch(ferry::Host(a.host.table()), "toy-cdc", "toy-cdc source");
  batch.set_partition("db.t");
  batch.use({"id", "raw"}, {FERRY_TYPE_INT64, FERRY_TYPE_BYTES}, {"id"}, "t");
  int wholes = 0;
  const CdcBatch::Shown keys_only{"1", "\x01"};
  const CdcBatch::Shown whole{"1", "01"};
  const auto show_all = [&]() -> const CdcBatch::Shown& {
    ++wholes;
    return whole;
  };
  const auto parse_ok = [](size_t, Parsed*) { return std::string(); };
  const auto put = [](ferry::BatchBuilder& b, size_t row, size_t c, const Parsed&) { b.set_int(row, c, 1); };
  batch.add<Parsed>(keys_only, FERRY_OP_INSERT, "p1", "", parse_ok, put, show_all);
  EXPECT_EQ(wholes, 0);
  batch.add<Parsed>(keys_only, FERRY_OP_INSERT, "p2", "", [](size_t c, Parsed*) {
    return c == 1 ? std::string("too long") : std::string();
  }, put, show_all);
  EXPECT_EQ(wholes, 1);
  EXPECT_EQ(batch.rows(), 1u);
  ASSERT_EQ(a.host.errant.size(), 1u);
  EXPECT_EQ(boost::json::parse(a.host.errant[0].payload), boost::json::parse(R"({"op":"insert","id":"1","raw":"01"})"));
  EXPECT_EQ(a.host.errant[0].message, "toy-cdc: column 'raw': too long");
}

TEST(CdcBatch, AKeyColumnMissingFromTheColumnsIsAConfigurationError) {
  Args a;
  CdcBatch batch(ferry::Host(a.host.table()), "toy-cdc", "toy-cdc source");
  try {
    batch.use({"a", "b"}, {FERRY_TYPE_INT64, FERRY_TYPE_INT64}, {"a", "id"}, "\"s\".\"t\"");
    FAIL() << "a batch without its key column was made";
  } catch (const ferry::Error& e) {
    EXPECT_EQ(e.status(), FERRY_ERROR_CONFIG);
    EXPECT_EQ(std::string(e.what()),
              "toy-cdc source: a primary key column of \"s\".\"t\" is not among the columns (a, b)");
  }
  EXPECT_EQ(CdcBatch::key_of({"1", std::nullopt}, {1, 0}), "[null,\"1\"]");
}

}  // namespace
