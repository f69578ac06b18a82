// An orchestrator (ABI 1.2) for tests: writes what the host told it to
// DIR/plan.txt and answers with the configured worker count, grouping
// partition i into group i % groups.
#include <ferry/plugin.hpp>

#include <boost/json.hpp>
#include <fstream>
#include <string>

namespace {

class TestOrchestrator : public ferry::Orchestrator {
 public:
  explicit TestOrchestrator(const ferry::Context& ctx) {
    auto c = boost::json::parse(ctx.config_json()).as_object();
    dir_ = ctx.resolve_path(std::string(c.at("dir").as_string()));
    workers_ = static_cast<uint32_t>(c.at("workers").as_int64());
    groups_ = static_cast<uint32_t>(c.at("groups").as_int64());
  }

  Plan plan(const FerryMachineFacts& m, const FerryPartitionInfo* parts, size_t count) override {
    std::ofstream out(dir_ + "/plan.txt");
    out << "cores " << m.cores << "\nmemory " << m.memory_bytes << "\nrequested " << m.requested_parallelism
        << "\nqueue_depth " << m.queue_depth << "\n";
    Plan p;
    p.workers = workers_;
    for (size_t i = 0; i < count; ++i) {
      out << "partition " << ferry::view(parts[i].name) << " " << parts[i].estimated_records << "\n";
      if (groups_ > 0) p.groups.push_back(static_cast<uint32_t>(i % groups_));
    }
    return p;
  }

 private:
  std::string dir_;
  uint32_t workers_ = 0;
  uint32_t groups_ = 0;
};

const FerryOptionSpec kOptions[] = {
    {"dir", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr, "where plan.txt goes"},
    {"workers", FERRY_OPTION_INT, 0, "0", "workers to ask for (0: the host decides)"},
    {"groups", FERRY_OPTION_INT, 0, "0", "group partition i into i % groups (0: no groups)"},
};
const FerryKindSpec kKinds[] = {
    {FERRY_KIND_ORCHESTRATOR, 0, "test orchestrator", kOptions, FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("test-orchestrator", "1.0.0", "records the planning facts and plans as told", kKinds)
FERRY_PLUGIN(TestOrchestrator)
