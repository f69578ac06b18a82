// A batch a transactional sink holds from an interrupted run comes again
// ending where that sink says, even when its rows now end at an earlier
// source batch. Lines the source could not parse between its last row and
// that end then come with the next batch: the held batch's checkpoint
// passed them before they were in the DLQ, and once that next batch was
// itself left in doubt and read again from that checkpoint, they were
// never reported again (lost).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "support/scenario_env.h"

namespace {

using ferry::test::ScenarioDir;

std::string pipeline(const ScenarioDir& d, const std::string& batch, const std::string& t_extra,
                     const std::string& i_extra) {
  const std::string dir = d.dir().path().string();
  return R"({"name": "he", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "in.jsonl", "key": "id"}},
    "batch": )" + batch + R"(,
    "retry": {"max_attempts": 2, "initial_delay_ms": 1, "max_delay_ms": 2},
    "sinks": [{"name": "t", "plugin": "scenario", "config": {"dir": ")" + dir + "\"" + t_extra + R"(}},
              {"name": "i", "plugin": "scenario-idem", "config": {"dir": ")" + dir + "\"" + i_extra + "}}]}";
}

size_t unparsed_in_dlq(const ScenarioDir& d) {
  size_t n = 0;
  for (const auto& e : d.dlq())
    if (e.stage == "source") ++n;
  return n;
}

TEST(HeldBatchErrants, LinesAfterTheLastRowOfAHeldBatchReachTheDlqWithIt) {
  ScenarioDir d("he");
  {
    std::ofstream out(d.file("in.jsonl"));
    for (int i = 1; i <= 8; ++i) out << "{\"id\": " << i << "}\n";
    out << "not json 9\nnot json 10\n";
    out << "{\"id\": 11}\n{\"id\": 12}\n";
  }
  // The first batch ends after line 10: max_bytes is what lines 1-10 take.
  const size_t ten_lines = 8 * std::string("{\"id\": 1}\n").size() + std::string("not json 9\nnot json 10\n").size();
  d.define(pipeline(d, R"({"max_records": 100, "max_bytes": )" + std::to_string(ten_lines) + "}",
                    R"(, "crash_point": "after_commit", "crash_at": 1)", ""));
  ASSERT_NE(d.run().exit_code, 0) << "sink t was to die after committing the first batch";

  // Read again in batches of 4: the held rows end at line 8. The next
  // batch (lines 9-12) is committed by t, and i fails its commit.
  d.define(pipeline(d, R"({"max_records": 4})", "", R"(, "commit_retry_calls": [2, 3])"));
  const auto second = d.run();
  ASSERT_EQ(second.exit_code, 1) << second.err;
  // The checkpoint is past line 10 now: lines 9 and 10 are in the DLQ.
  ASSERT_EQ(d.state()->load_checkpoint("he", "in.jsonl")->position, "103:10");
  EXPECT_EQ(unparsed_in_dlq(d), 2u);

  d.define(pipeline(d, R"({"max_records": 4})", "", ""));
  const auto third = d.run();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(unparsed_in_dlq(d), 2u) << "lines 9 and 10 were to be in the DLQ once each";
}

}  // namespace
