// A source told of a checkpoint (ABI 1.8) may release what precedes it
// upstream, where no later run can read it again. So it is told only of
// checkpoints the state store has synced: a power cut cannot take back a
// position the upstream already let go of.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "plugin/registry.h"
#include "support/forwarding_state_store.h"
#include "support/temp_dir.h"

namespace {

using namespace ferry::core;

// A SQLite store that appends "synced <checkpoint>" to the acking source's
// log at each sync, so the log holds syncs and acknowledgements in the
// order they happened (both append to the one file).
class LoggedSyncStore : public ferry::test::ForwardingStateStore {
 public:
  LoggedSyncStore(const std::string& path, std::string log)
      : ForwardingStateStore(open_sqlite_state(path)), log_(std::move(log)) {}
  void sync() override {
    // Read first (saving what waits, as sync does), so the position logged
    // is one the sync covers.
    std::string line = "synced";
    for (const Checkpoint& c : list_checkpoints("ack")) line += " " + c.position;
    ForwardingStateStore::sync();
    FILE* f = std::fopen(log_.c_str(), "a");
    ASSERT_NE(f, nullptr);
    std::fputs((line + "\n").c_str(), f);
    std::fclose(f);
  }

 private:
  std::string log_;
};

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

void run_acking(const ferry::test::TempDir& dir, int group_commit_ms, int rows = 2000) {
  PipelineDef def = parse_pipeline_text(
      R"({"name": "ack", "state": {"type": "sqlite", "path": "state.db", "group_commit_ms": )" +
          std::to_string(group_commit_ms) + R"(},
    "source": {"plugin": "acking", "config": {"rows": )" + std::to_string(rows) +
          R"(, "log_start": true, "ack_log": ")" + dir.file("acks") + R"("}},
    "batch": {"max_records": 10, "queue_depth": 1},
    "sinks": [{"name": "s", "plugin": "null"}]})",
      dir.path() / "p.json");
  PluginRegistry plugins({FERRY_TEST_FIXTURE_DIR, FERRY_TEST_PLUGIN_DIR});
  validate_against_plugins(def, plugins);
  // Each run syncs for itself: what an earlier one synced says nothing.
  std::ofstream(dir.file("acks"), std::ios::app) << "run\n";
  LoggedSyncStore state(dir.file("state.db"), dir.file("acks"));
  Engine engine(def, plugins, state);
  // 2,000 rows over a second: grouped commits are saved (and passed on)
  // on their 100 ms deadline while the run goes on.
  EngineOptions options;
  options.rate = 2000;
  engine.run(options);
}

// Every position the source was told, or started from, was synced before.
// Returns how many it was told.
int expect_each_position_synced_first(const std::vector<std::string>& log) {
  int64_t synced = 0;
  int told = 0;
  for (const std::string& l : log) {
    if (l == "run") {
      synced = 0;
      continue;
    }
    if (l.rfind("synced", 0) == 0) {
      if (l.size() > 7) synced = std::max<int64_t>(synced, std::stoll(l.substr(7)));
      continue;
    }
    const bool start = l.rfind("start ", 0) == 0;
    const int64_t position = std::stoll(start ? l.substr(6) : l);
    EXPECT_LE(position, synced) << (start ? "started from " : "told of ") << position << " before it was synced";
    if (!start) ++told;
  }
  return told;
}

TEST(AcknowledgementDurability, ASourceIsToldOnlyOfSyncedCheckpoints) {
  for (int group_commit_ms : {0, 100}) {
    SCOPED_TRACE("group_commit_ms " + std::to_string(group_commit_ms));
    ferry::test::TempDir dir;
    run_acking(dir, group_commit_ms);
    EXPECT_GT(expect_each_position_synced_first(lines(ferry::test::read_file(dir.file("acks")))), 0)
        << "the source was told nothing";
  }
}

TEST(AcknowledgementDurability, ARunStartsASourceOnlyFromASyncedCheckpoint) {
  // postgres-cdc confirms the position it starts from to its slot, as it
  // would an acknowledgement.
  ferry::test::TempDir dir;
  run_acking(dir, 0, 1000);
  run_acking(dir, 0, 2000);
  const std::vector<std::string> log = lines(ferry::test::read_file(dir.file("acks")));
  ASSERT_NE(std::find(log.begin(), log.end(), "start 1000"), log.end()) << "the second run did not resume";
  expect_each_position_synced_first(log);
}

}  // namespace
