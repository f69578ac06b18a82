// A source read that reports errant records and then answers RETRY is read
// again, and reports them again: the DLQ must hold each record once (a
// replay would deliver it twice), and the run must count it once.
#include <gtest/gtest.h>

#include <set>

#include "engine/engine.h"
#include "plugin/registry.h"
#include "support/temp_dir.h"

namespace {

using namespace ferry::core;

TEST(SourceRetry, ErrantRecordsOfAReadThatIsRetriedAreStoredAndCountedOnce) {
  ferry::test::TempDir dir;
  PipelineDef def = parse_pipeline_text(R"({"name": "sc", "state": {"type": "memory"},
    "retry": {"max_attempts": 5, "initial_delay_ms": 1, "max_delay_ms": 1},
    "batch": {"max_records": 10},
    "source": {"plugin": "scenario", "config": {"count": 60, "errant_mod": 4, "retry_after_errants": true}},
    "sinks": [{"name": "tx", "plugin": "scenario", "config": {"dir": ")" + dir.path().string() + R"("}}]})",
                                        dir.path() / "p.json");
  PluginRegistry plugins({FERRY_TEST_FIXTURE_DIR, FERRY_TEST_PLUGIN_DIR});
  validate_against_plugins(def, plugins);
  std::unique_ptr<StateStore> state = open_memory_state();
  Engine engine(def, plugins, *state);
  const RunSummary summary = engine.run(EngineOptions{});
  DlqFilter all;
  all.pipeline = "sc";
  const std::vector<DlqEntry> entries = state->list_dlq(all);
  std::set<std::string> keys;
  for (const DlqEntry& e : entries) keys.insert(e.record_key);
  ASSERT_FALSE(keys.empty()) << "no record was errant: the test proves nothing";
  EXPECT_EQ(entries.size(), keys.size()) << "an errant record was stored more than once";
  EXPECT_EQ(summary.counts.rejected, static_cast<int64_t>(keys.size()));
  EXPECT_EQ(summary.counts.read, 60);
  EXPECT_EQ(summary.counts.written, 60 - static_cast<int64_t>(keys.size()));
}

}  // namespace
