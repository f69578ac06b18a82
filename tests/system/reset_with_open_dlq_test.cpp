// A checkpoint reset or a backfill redo reads records again from the start.
// An open DLQ entry of such a record stayed beside it: read again, the
// record was delivered or queued a second time, and a replay then wrote it
// twice (30 entries for 20 records after a redo; 10 ids twice in the file
// sink). Both refuse while such entries are open, and say what to do.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "support/scenario_env.h"

namespace {

using ferry::test::ScenarioDir;

TEST(ResetWithOpenDlq, AResetRefusesWhileEntriesOfItsPartitionsAreOpen) {
  ScenarioDir d("ro");
  {
    std::ofstream out(d.file("in.jsonl"));
    for (int i = 1; i <= 10; ++i) out << "{\"id\": " << i << "}\n";
    out << "not json\n";
  }
  d.define(R"({"name": "ro", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "in.jsonl", "key": "id"}},
    "sinks": [{"name": "s", "plugin": "scenario-idem", "config": {"dir": ")" + d.dir().path().string() +
           R"(", "reject_keys": ["3", "5"]}}]})");
  ASSERT_EQ(d.run().exit_code, 0);
  ASSERT_EQ(d.dlq().size(), 3u) << "two refused rows and one line that is not JSON";

  const auto refused = d.ferry_cmd("checkpoint", {"reset"});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("not resetting: 2 open DLQ entries hold records of what would be read again"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("--allow-open-dlq"), std::string::npos) << refused.err;
  EXPECT_TRUE(d.state()->load_checkpoint("ro", "in.jsonl")) << "the checkpoint was to stay";
  // Another partition's reset reads none of them again.
  EXPECT_EQ(d.ferry_cmd("checkpoint", {"reset", "--partition", "other.jsonl"}).exit_code, 0);

  // Settled (here discarded), the entries no longer stand in the way; the
  // unparseable line's entry never did (a read again reports it once).
  ASSERT_EQ(d.ferry_cmd("dlq", {"discard", "--sink", "s"}).exit_code, 0);
  const auto reset = d.ferry_cmd("checkpoint", {"reset"});
  EXPECT_EQ(reset.exit_code, 0) << reset.err;
}

TEST(ResetWithOpenDlq, AResetWithAllowOpenDlqGoesOn) {
  ScenarioDir d("ro");
  ferry::test::write_file(d.file("in.jsonl"), "{\"id\": 1}\n{\"id\": 2}\n");
  d.define(R"({"name": "ro", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "file", "config": {"paths": "in.jsonl", "key": "id"}},
    "sinks": [{"name": "s", "plugin": "scenario-idem", "config": {"dir": ")" + d.dir().path().string() +
           R"(", "reject_keys": ["2"]}}]})");
  ASSERT_EQ(d.run().exit_code, 0);
  const auto reset = d.ferry_cmd("checkpoint", {"reset", "--allow-open-dlq"});
  EXPECT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_FALSE(d.state()->load_checkpoint("ro", "in.jsonl"));
}

TEST(ResetWithOpenDlq, ARedoRefusesWhileEntriesOfItsWindowsAreOpen) {
  ScenarioDir d("rd");
  d.define(R"({"name": "rd", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "generator", "config": {"count": 20, "fields": 2}},
    "transforms": [{"name": "rule", "plugin": "validate",
                    "config": {"rules": {"name": {"pattern": "^name-20260102|[^7]$"}}}}],
    "sinks": [{"name": "f", "plugin": "file", "config": {"directory": "out"}}]})");
  const std::vector<std::string> range{"--from", "2026-01-01", "--to", "2026-01-03"};
  const auto first = d.ferry_cmd("backfill", range);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(d.dlq().size(), 2u) << "the rule was to refuse the first day's ids 7 and 17";

  auto redo_of = [&](const std::string& window, bool allow) {
    std::vector<std::string> args = range;
    args.insert(args.end(), {"--redo", window});
    if (allow) args.push_back("--allow-open-dlq");
    return d.ferry_cmd("backfill", args);
  };
  const auto refused = redo_of("2026-01-01", false);
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("not redoing:"), std::string::npos) << refused.err;
  const size_t entries = d.dlq().size();
  // The second day's window holds none of them.
  const auto other = redo_of("2026-01-02", false);
  EXPECT_EQ(other.exit_code, 0) << other.err;
  const auto allowed = redo_of("2026-01-01", true);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_GT(d.dlq().size(), entries) << "with --allow-open-dlq the refused rows are queued again, as the flag says";
}

}  // namespace
