// Failures of the host's own machinery end a run with an error, never with
// std::terminate: a state store that fails as a parallel run starts.
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "plugin/registry.h"
#include "support/forwarding_state_store.h"
#include "support/temp_dir.h"

namespace {

using namespace ferry::core;

// A memory store, except that starting a run fails.
class FailingRunStore : public ferry::test::ForwardingStateStore {
 public:
  FailingRunStore() : ForwardingStateStore(open_memory_state()) {}
  void begin_run(const Run&) override { throw Error("state store unavailable: disk full"); }
};

TEST(EngineFailurePaths, AStateStoreFailingAsAParallelRunStartsIsAnError) {
  ferry::test::TempDir dir;
  PipelineDef def = parse_pipeline_text(R"({"name": "sc", "state": {"type": "memory"},
    "source": {"plugin": "scenario", "config": {"count": 20, "partitions": 4}},
    "parallelism": 2,
    "sinks": [{"name": "tx", "plugin": "scenario", "config": {"dir": ")" + dir.path().string() + R"("}}]})",
                                        dir.path() / "p.json");
  PluginRegistry plugins({FERRY_TEST_FIXTURE_DIR, FERRY_TEST_PLUGIN_DIR});
  validate_against_plugins(def, plugins);
  FailingRunStore state;
  Engine engine(def, plugins, state);
  EngineOptions options;
  try {
    engine.run(options);
    FAIL() << "the run started without a run record";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("disk full"), std::string::npos) << e.what();
  }
}

}  // namespace
