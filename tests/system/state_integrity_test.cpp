// A state store that was lost is not a new one: an existing empty or
// damaged state file is refused, and so is a state store that has no
// checkpoint for a partition whose transactional sink holds one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/scenario_env.h"

namespace {

using ferry::test::ScenarioDir;

const char* kPipeline = R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 30}},
    "batch": {"max_records": 10},
    "sinks": [{"name": "tx", "plugin": "scenario", "config": {}}]})";

void remove_state(const ScenarioDir& d) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(d.file(std::string("state.db") + suffix));
}

TEST(StateIntegrity, AnEmptiedStateFileIsRefused) {
  ScenarioDir d;
  d.define(kPipeline);
  ASSERT_EQ(d.run().exit_code, 0);
  remove_state(d);
  std::ofstream(d.file("state.db"), std::ios::trunc).close();  // 0 bytes
  auto r = d.run();
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("is empty"), std::string::npos) << r.err;
  EXPECT_EQ(d.sink("tx").total(), 30u) << "the run re-read everything";
}

TEST(StateIntegrity, ADamagedStateFileIsRefused) {
  ScenarioDir d;
  d.define(kPipeline);
  ASSERT_EQ(d.run().exit_code, 0);
  // Fold the WAL into the file, then overwrite its second page.
  ASSERT_EQ(ferry::test::run_process({"/usr/bin/sqlite3", d.file("state.db"), "PRAGMA wal_checkpoint(TRUNCATE);"}).exit_code, 0);
  const auto size = std::filesystem::file_size(d.file("state.db"));
  ASSERT_GT(size, 8192u);
  {
    std::fstream f(d.file("state.db"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);
    std::string garbage(4096, '\x5a');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  auto r = d.run();
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("damaged"), std::string::npos) << r.err;
}

TEST(StateIntegrity, ALostStateStoreIsNotMistakenForANewOne) {
  ScenarioDir d;
  d.define(kPipeline);
  ASSERT_EQ(d.run().exit_code, 0);
  remove_state(d);
  auto r = d.run();
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("sink 'tx' holds"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("checkpoint reset"), std::string::npos) << "the message says how to go on: " << r.err;
  // Resetting says "start over" explicitly: the partition is read again.
  auto reset = d.ferry_cmd("checkpoint", {"reset"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  auto again = d.run();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(d.sink("tx").total(), 60u);
}

// A command that only reads finds a missing state file empty, and leaves
// it missing: it is no command's to create a state (nor, where the file
// was lost, to make a new empty one that the next run would refuse).
TEST(StateIntegrity, CommandsThatOnlyReadDoNotCreateAMissingStateFile) {
  ScenarioDir d;
  d.define(kPipeline);
  const auto show = d.ferry_cmd("checkpoint", {"show"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("no checkpoints"), std::string::npos) << show.out;
  const auto list = d.ferry_cmd("dlq", {"list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  const auto status = d.ferry_cmd("status");
  EXPECT_EQ(status.exit_code, 0) << status.err;
  const auto exported = d.ferry_cmd("dlq", {"export"});
  EXPECT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_FALSE(std::filesystem::exists(d.file("state.db")));
  // The first run still starts from nothing and creates it.
  ASSERT_EQ(d.run().exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(d.file("state.db")));
  EXPECT_EQ(d.sink("tx").total(), 30u);
}

// A state.path that names someone else's SQLite database (a target, say)
// is not turned into a state store by a command that only reads: it is
// refused, and the file is left as it was.
TEST(StateIntegrity, CommandsThatOnlyReadLeaveAForeignSqliteFileAlone) {
  ScenarioDir d;
  d.define(kPipeline);
  ASSERT_EQ(ferry::test::run_process({"/usr/bin/sqlite3", d.file("state.db"), "CREATE TABLE orders (id INTEGER)"})
                .exit_code,
            0);
  const std::string before = ferry::test::read_file(d.file("state.db"));
  for (const auto& [cmd, arg] : std::vector<std::pair<std::string, std::string>>{
           {"checkpoint", "show"}, {"dlq", "list"}, {"dlq", "export"}, {"status", ""}}) {
    const auto r = arg.empty() ? d.ferry_cmd(cmd) : d.ferry_cmd(cmd, {arg});
    EXPECT_EQ(r.exit_code, 1) << cmd << " " << arg << ": " << r.out;
    EXPECT_NE(r.err.find("is a SQLite database with tables of its own and no Ferry state in it"), std::string::npos)
        << r.err;
  }
  EXPECT_EQ(ferry::test::read_file(d.file("state.db")), before);
  EXPECT_FALSE(std::filesystem::exists(d.file("state.db-wal")));
  // An empty database (no table yet) reads as an empty state, also untouched.
  std::filesystem::remove(d.file("state.db"));
  ASSERT_EQ(ferry::test::run_process({"/usr/bin/sqlite3", d.file("state.db"), "PRAGMA user_version = 0; VACUUM"})
                .exit_code,
            0);
  const std::string empty = ferry::test::read_file(d.file("state.db"));
  const auto show = d.ferry_cmd("checkpoint", {"show"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(ferry::test::read_file(d.file("state.db")), empty);
}

// The commands that only read the state use no plugin, so the variables of
// a stage's config (a sink's password, say) need not be set for them: an
// operator reads the DLQ without the sink's credentials. A run still needs
// every one.
TEST(StateIntegrity, CommandsThatOnlyReadNeedNoVariableOfAStageConfig) {
  ScenarioDir d;
  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 30}},
    "batch": {"max_records": 10},
    "sinks": [{"name": "tx", "plugin": "scenario", "config": {"dir": "${FERRY_TEST_SINK_DIR}"}}]})");
  const std::string sink_dir = "FERRY_TEST_SINK_DIR=" + d.dir().path().string();
  ASSERT_EQ(d.ferry_cmd("run", {}, {sink_dir}).exit_code, 0);
  EXPECT_EQ(d.sink("tx").total(), 30u);

  const auto show = d.ferry_cmd("checkpoint", {"show"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(show.out.find("no checkpoints"), std::string::npos) << show.out;
  const auto list = d.ferry_cmd("dlq", {"list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  const auto status = d.ferry_cmd("status");
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(d.ferry_cmd("dlq", {"export"}).exit_code, 0);

  const auto run = d.run();
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("/sinks/0/config/dir: undefined environment variable 'FERRY_TEST_SINK_DIR'"),
            std::string::npos)
      << run.err;
  // A variable of Ferry's own keys is still needed by every command.
  d.define(R"({"name": "sc", "state": {"type": "sqlite", "path": "${FERRY_TEST_STATE_FILE}"},
    "source": {"plugin": "scenario", "config": {"count": 30}},
    "sinks": [{"name": "tx", "plugin": "scenario", "config": {}}]})");
  const auto no_state = d.ferry_cmd("checkpoint", {"show"});
  EXPECT_NE(no_state.exit_code, 0);
  EXPECT_NE(no_state.err.find("/state/path: undefined environment variable 'FERRY_TEST_STATE_FILE'"),
            std::string::npos)
      << no_state.err;
}

}  // namespace
