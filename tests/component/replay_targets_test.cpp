// Replay addressed to one sink (ReplayOptions::sink) of a record no sink
// has yet (a transform refused it): the record reaches that sink, and its
// DLQ entry stays open for the others instead of being marked resolved.
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "plugin/registry.h"
#include "support/scenario_env.h"

namespace {

using namespace ferry::core;
using ferry::test::ScenarioDir;

struct Loaded {
  PipelineDef def;
  std::unique_ptr<PluginRegistry> plugins;
  std::unique_ptr<StateStore> state;
};

Loaded load(const ScenarioDir& d, const std::string& transform_config) {
  Loaded s;
  s.def = parse_pipeline_text(R"({"name": "sc", "state": {"type": "sqlite", "path": "state.db"},
    "source": {"plugin": "scenario", "config": {"count": 30}},
    "transforms": [{"name": "t", "plugin": "scenario", "config": )" + transform_config + R"(}],
    "batch": {"max_records": 10},
    "sinks": [{"name": "a", "plugin": "scenario", "config": {}},
              {"name": "b", "plugin": "scenario", "config": {}}]})",
                              d.dir().path() / "p.json");
  s.plugins = std::make_unique<PluginRegistry>(
      std::vector<std::filesystem::path>{FERRY_TEST_FIXTURE_DIR, FERRY_TEST_PLUGIN_DIR});
  validate_against_plugins(s.def, *s.plugins);
  s.state = open_sqlite_state(d.file("state.db"));
  return s;
}

TEST(ReplayTargets, ARecordNoSinkHasStaysOpenForTheSinksAReplayDidNotReach) {
  ScenarioDir d;
  {
    Loaded s = load(d, R"({"reject_mod": 3})");
    EngineOptions run;
    ASSERT_EQ(Engine(s.def, *s.plugins, *s.state).run(run).status, RunStatus::Succeeded);
  }
  const auto refused = d.dlq(DlqStatus::Pending);
  ASSERT_GT(refused.size(), 3u);
  for (const DlqEntry& e : refused) ASSERT_EQ(e.sink, "");

  Loaded s = load(d, "{}");
  EngineOptions to_a;
  to_a.kind = "replay";
  ReplayOptions only_a;
  only_a.filter.status = DlqStatus::Pending;
  only_a.sink = "a";
  to_a.replay = only_a;
  RunSummary first = Engine(s.def, *s.plugins, *s.state).run(to_a);
  EXPECT_EQ(first.replay.resolved, 0);
  EXPECT_EQ(d.sink("a").total(), 30u);
  EXPECT_EQ(d.sink("b").total(), 30u - refused.size());
  for (const DlqEntry& e : d.dlq()) {
    EXPECT_EQ(e.status, DlqStatus::Pending) << e.id;
    EXPECT_EQ(e.sink, "b") << e.id;
  }

  EngineOptions to_all;
  to_all.kind = "replay";
  ReplayOptions all;
  all.filter.status = DlqStatus::Pending;
  to_all.replay = all;
  RunSummary second = Engine(s.def, *s.plugins, *s.state).run(to_all);
  EXPECT_EQ(second.replay.resolved, static_cast<int64_t>(refused.size()));
  for (const char* sink : {"a", "b"}) {
    auto rows = d.sink(sink);
    EXPECT_EQ(rows.values.size(), 30u) << sink;
    EXPECT_EQ(rows.total(), 30u) << sink;
  }
}

}  // namespace
