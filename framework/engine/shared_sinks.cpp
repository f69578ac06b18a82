#include "engine/shared_sinks.h"

namespace ferry::core {

SharedSinks::SharedSinks(const PipelineDef& def, const PluginRegistry& plugins) {
  for (const SinkDef& s : def.sinks)
    shared_.push_back(plugins.require(s.plugin).sink_single_writer() ? std::make_unique<Shared>() : nullptr);
}

std::unique_ptr<HostContext> SharedSinks::host_for(Shared& shared, const PipelineDef& def, const std::string& stage,
                                                   const StopSource* stop, Metrics* metrics) {
  auto h = std::make_unique<HostContext>(def.name, stage, stop, metrics);
  h->set_errant_handler([&shared](const FerryErrantRecord& r) {
    return shared.holder ? shared.holder->report_errant(r) : FERRY_ERROR_INTERNAL;
  });
  return h;
}

void SharedSinks::close() {
  for (auto& s : shared_)
    if (s) s->instance.reset();
}

}  // namespace ferry::core
