// A commit intent is what recovery reads after a crash: whatever it held
// when saved must come back, whether written by this version or the last.
#include <gtest/gtest.h>

#include <string>

#include "engine/commit_intent.h"

namespace ferry::core {
namespace {

CommitIntent a_replay_intent() {
  CommitIntent in;
  in.kind = IntentKind::Replay;
  in.run_id = "run-7";
  in.to = std::string("r\0\xff", 3);
  in.sinks = {"db", "es"};
  in.accepted = {2, 1};
  ReplayRow plain;
  plain.id = 41;
  plain.attempts = 2;
  plain.targets = {{"db", true, true, "", ""}, {"es", false, false, "", ""}};
  ReplayRow refused;
  refused.id = 42;
  refused.status = DlqStatus::FailedAgain;
  refused.attempts = 5;
  refused.failed_stage = "check";
  refused.failed_record = R"({"values":{"id":42}})";
  refused.failure = "check: amount < 0";
  refused.failure_class = "invalid_data";
  refused.targets = {{"db", true, false, "CHECK constraint failed", "invalid_data"}};
  DlqEntry copy;
  copy.pipeline = "orders";
  copy.position = std::string("\0\1", 2);
  copy.sink = "es";
  copy.record_json = R"({"values":{"id":42}})";
  copy.attempts = 1;
  copy.dedup = true;
  refused.entry = copy;
  in.rows = {plain, refused};
  return in;
}

TEST(CommitIntent, AReplayIntentComesBackAsSaved) {
  const CommitIntent in = a_replay_intent();
  const CommitIntent out = decode_intent(encode_intent(in));
  EXPECT_EQ(out.kind, IntentKind::Replay);
  EXPECT_EQ(out.run_id, "run-7");
  EXPECT_EQ(out.to, in.to);
  EXPECT_EQ(out.sinks, in.sinks);
  EXPECT_EQ(out.accepted, in.accepted);
  ASSERT_EQ(out.rows.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const ReplayRow& a = in.rows[i];
    const ReplayRow& b = out.rows[i];
    EXPECT_EQ(b.id, a.id);
    EXPECT_EQ(b.status, a.status);
    EXPECT_EQ(b.attempts, a.attempts);
    EXPECT_EQ(b.failed_stage, a.failed_stage);
    EXPECT_EQ(b.failed_record, a.failed_record);
    EXPECT_EQ(b.failure, a.failure);
    EXPECT_EQ(b.failure_class, a.failure_class);
    ASSERT_EQ(b.targets.size(), a.targets.size());
    for (size_t t = 0; t < a.targets.size(); ++t) {
      EXPECT_EQ(b.targets[t].sink, a.targets[t].sink);
      EXPECT_EQ(b.targets[t].tried, a.targets[t].tried) << "row " << a.id << " target " << t;
      EXPECT_EQ(b.targets[t].delivered, a.targets[t].delivered);
      EXPECT_EQ(b.targets[t].failure, a.targets[t].failure);
      EXPECT_EQ(b.targets[t].failure_class, a.targets[t].failure_class);
    }
    EXPECT_EQ(b.entry.has_value(), a.entry.has_value());
  }
  ASSERT_TRUE(out.rows[1].entry);
  EXPECT_EQ(out.rows[1].entry->position, std::string("\0\1", 2));
  EXPECT_EQ(out.rows[1].entry->sink, "es");
  EXPECT_TRUE(out.rows[1].entry->dedup);
}

// The body an earlier version saved, every key written out, still decodes:
// a replay interrupted before an upgrade is finished after it.
TEST(CommitIntent, AnIntentWithEveryKeyWrittenOutDecodes) {
  const std::string body =
      R"({"kind":"replay","run_id":"r1","to":"7231","source_rows":0,"schema_version":"","records":0,)"
      R"("sinks":[{"sink":"db","accepted":1}],"add":[],"rows":[)"
      R"({"id":9,"status":"pending","attempts":1,"failed_stage":"","failed_record":"","failure":"",)"
      R"("targets":[{"sink":"db","tried":true,"delivered":true,"failure":""}]},)"
      R"({"id":10,"status":"failed_again","attempts":3,"failed_stage":"","failed_record":"","failure":"",)"
      R"("targets":[{"sink":"db","tried":false,"delivered":false,"failure":""}]}]})";
  const CommitIntent in = decode_intent(body);
  EXPECT_EQ(in.to, "r1");
  ASSERT_EQ(in.rows.size(), 2u);
  EXPECT_EQ(in.rows[0].status, DlqStatus::Pending);
  EXPECT_TRUE(in.rows[0].targets.at(0).tried);
  EXPECT_TRUE(in.rows[0].targets.at(0).delivered);
  EXPECT_EQ(in.rows[1].status, DlqStatus::FailedAgain);
  EXPECT_EQ(in.rows[1].attempts, 3);
  EXPECT_FALSE(in.rows[1].targets.at(0).tried);
}

TEST(CommitIntent, APlainResolutionIsWrittenShort) {
  CommitIntent in;
  in.kind = IntentKind::Replay;
  ReplayRow row;
  row.id = 1;
  row.targets = {{"db", true, true, "", ""}};
  in.rows.assign(1000, row);
  // Every row: its id, attempts and one target, nothing at its default
  // (about 80 bytes; 150 with every key written out).
  EXPECT_LT(encode_intent(in).size(), 1000u * 100);
}

// A replay saves an intent before every batch it commits: entries that
// fare alike and have consecutive ids are written as one range, so the
// intent of a 1,000-row batch of plain resolutions is a few dozen bytes.
TEST(CommitIntent, AlikeRowsWithConsecutiveIdsAreWrittenAsOneRange) {
  CommitIntent in;
  in.kind = IntentKind::Replay;
  for (int64_t id = 1; id <= 1000; ++id) {
    ReplayRow row;
    row.id = id;
    row.targets = {{"db", true, true, "", ""}};
    in.rows.push_back(row);
  }
  const std::string body = encode_intent(in);
  EXPECT_LT(body.size(), 300u) << body.substr(0, 400);
  const CommitIntent out = decode_intent(body);
  ASSERT_EQ(out.rows.size(), 1000u);
  for (size_t i = 0; i < out.rows.size(); ++i) {
    EXPECT_EQ(out.rows[i].id, static_cast<int64_t>(i) + 1);
    ASSERT_EQ(out.rows[i].targets.size(), 1u);
    EXPECT_TRUE(out.rows[i].targets[0].delivered);
  }
}

// A row that fares otherwise, or a gap in the ids, ends a range: every row
// comes back with its own outcome, in order.
TEST(CommitIntent, ARangeEndsWhereTheOutcomeOrTheIdsChange) {
  CommitIntent in;
  in.kind = IntentKind::Replay;
  for (int64_t id : {1, 2, 3, 4, 5, 7, 8}) {
    ReplayRow row;
    row.id = id;
    row.targets = {{"db", true, id != 3, id == 3 ? "too long" : "", ""}};
    row.attempts = id == 8 ? 2 : 1;
    in.rows.push_back(row);
  }
  const CommitIntent out = decode_intent(encode_intent(in));
  ASSERT_EQ(out.rows.size(), in.rows.size());
  for (size_t i = 0; i < in.rows.size(); ++i) {
    EXPECT_EQ(out.rows[i].id, in.rows[i].id);
    EXPECT_EQ(out.rows[i].attempts, in.rows[i].attempts) << "row " << in.rows[i].id;
    ASSERT_EQ(out.rows[i].targets.size(), 1u);
    EXPECT_EQ(out.rows[i].targets[0].delivered, in.rows[i].targets[0].delivered) << "row " << in.rows[i].id;
    EXPECT_EQ(out.rows[i].targets[0].failure, in.rows[i].targets[0].failure) << "row " << in.rows[i].id;
  }
}

// A range that runs backwards is damage, not an empty range.
TEST(CommitIntent, ARangeThatRunsBackwardsIsRefused) {
  const std::string body =
      R"({"kind":"replay","run_id":"r1","to":"7231","rows":[{"id":9,"through":3,"attempts":1,)"
      R"("targets":[{"sink":"db","tried":true,"delivered":true}]}]})";
  EXPECT_THROW(decode_intent(body), Error);
}

}  // namespace
}  // namespace ferry::core
