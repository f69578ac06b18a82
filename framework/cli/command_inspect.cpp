// Commands that read plugins and state without moving data.
#include <ctime>
#include <iomanip>
#include <iostream>

#include <boost/json.hpp>

#include "cli/commands.h"
#include "cli/format.h"
#include "cli/loaded_pipeline.h"
#include "common/error.h"
#include "common/log.h"
#include "engine/dead_letters.h"

namespace ferry::cli {
int validate_command(const GlobalOptions& g, const std::string& pipeline) {
  LoadedPipeline p = load_pipeline(pipeline, g.plugin_paths);
  std::cout << "ok: pipeline '" << p.def.name << "': source " << p.def.source.plugin << ", "
            << p.def.transforms.size() << " transform(s), " << p.def.sinks.size() << " sink(s), "
            << p.def.checkpoint_hooks.size() + p.def.backlog_hooks.size() << " hook(s)" << std::endl;
  return kExitOk;
}

int checkpoint_show_command(const GlobalOptions& g, const std::string& pipeline) {
  LoadedPipeline p = load_pipeline(pipeline, g.plugin_paths, false);
  auto state = open_state_to_read(p.def);
  std::vector<core::Checkpoint> cps = state->list_checkpoints(p.def.name);
  std::cout << "pipeline " << p.def.name << "\n";
  if (cps.empty()) std::cout << "no checkpoints: the next run starts from the beginning\n";
  else
    std::cout << std::left << std::setw(40) << "PARTITION" << std::setw(24) << "POSITION" << std::setw(12)
              << "RECORDS" << std::setw(22) << "UPDATED" << "RUN\n";
  for (const core::Checkpoint& c : cps)
    std::cout << std::setw(40) << c.partition << std::setw(24) << truncate(printable(c.position), 23)
              << std::setw(12) << c.records << std::setw(22) << format_time(c.updated_at_ms) << c.run_id
              << "\n";
  std::vector<core::SinkAck> acks = state->list_sink_acks(p.def.name);
  if (!acks.empty()) {
    std::cout << "\n" << std::setw(24) << "SINK" << std::setw(14) << "RECORDS" << std::setw(10)
              << "BATCHES" << "LAST ACK\n";
    for (const core::SinkAck& a : acks)
      std::cout << std::setw(24) << a.sink << std::setw(14) << a.records << std::setw(10) << a.batches
                << format_time(a.updated_at_ms) << "\n";
  }
  return kExitOk;
}

int checkpoint_reset_command(const GlobalOptions& g, const std::string& pipeline,
                             const std::optional<std::string>& partition, bool allow_open_dlq) {
  LoadedPipeline p = load_pipeline(pipeline, g.plugin_paths, false);
  auto state = open_state(p.def, core::StateCheck::Thorough);
  auto lock = state->lock_pipeline(p.def.name, core::this_process("checkpoint reset"));
  if (!allow_open_dlq)
    if (std::optional<std::string> why = core::reset_refused(*state, p.def.name, partition)) throw core::Error(*why);
  int64_t n = state->reset_checkpoints(p.def.name, partition);
  std::cout << "removed " << n << " checkpoint(s) of pipeline '" << p.def.name << "'";
  if (partition) std::cout << " (partition '" << *partition << "')";
  std::cout << "\nthe next run reads " << (partition ? "it" : "every partition")
            << " from the start and delivers it again to every sink, also to transactional sinks that hold a "
               "checkpoint of their own\n";
  return kExitOk;
}

}  // namespace ferry::cli
