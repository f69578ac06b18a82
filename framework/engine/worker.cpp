#include "engine/worker.h"

namespace ferry::core {

std::unique_ptr<HostContext> Worker::host_for(const std::string& stage) {
  auto h = std::make_unique<HostContext>(run.def.name, stage, &run.stop, run.options.metrics);
  h->set_errant_handler(
      [this, stage](const FerryErrantRecord& r) { return errants.report(stage, current_partition, r, counts); });
  return h;
}

Worker::Worker(RunContext& r, bool with_source)
    : run(r),
      errants(r),
      sinks(r, [this](const std::string& stage) { return host_for(stage); }),
      hooks(r),
      core(r, sinks, hooks, counts) {
  if (with_source)
    source = std::make_unique<SourceInstance>(run.plugins.require(run.def.source.plugin), host_for("source"),
                                              run.params_for(run.def.source));
  std::vector<std::unique_ptr<TransformInstance>> transforms_list;
  for (const StageDef& t : run.def.transforms)
    transforms_list.push_back(
        std::make_unique<TransformInstance>(run.plugins.require(t.plugin), host_for(t.name), run.params_for(t)));
  transforms = TransformChain(std::move(transforms_list));
  // A dry run writes nothing, and opening a sink may already write (create
  // a file or a table), so sinks and hooks stay closed.
  if (run.dry_run()) return;
  sinks.open_all();
  for (const StageDef& h : run.def.checkpoint_hooks)
    hooks.add(std::make_unique<CheckpointHookInstance>(run.plugins.require(h.plugin), host_for(h.name),
                                                       run.params_for(h)));
  for (const StageDef& h : run.def.backlog_hooks)
    hooks.add(
        std::make_unique<BacklogHookInstance>(run.plugins.require(h.plugin), host_for(h.name), run.params_for(h)));
}

Worker::~Worker() {
  // Hooks and sinks close before the source; the registry keeps the
  // libraries loaded until after this.
  hooks.close();
  sinks.close();
  transforms.close();
  source.reset();
}

}  // namespace ferry::core
