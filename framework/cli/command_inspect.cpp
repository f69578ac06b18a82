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

namespace ferry::cli {
namespace {



const char* option_type(FerryOptionType t) {
  switch (t) {
    case FERRY_OPTION_STRING: return "string";
    case FERRY_OPTION_INT: return "int";
    case FERRY_OPTION_NUMBER: return "number";
    case FERRY_OPTION_BOOL: return "bool";
    case FERRY_OPTION_ARRAY: return "array";
    case FERRY_OPTION_OBJECT: return "object";
    default: return "any";
  }
}


}  // namespace

int validate_command(const GlobalOptions& g, const std::string& pipeline) {
  LoadedPipeline p = load_pipeline(pipeline, g.plugin_paths);
  std::cout << "ok: pipeline '" << p.def.name << "': source " << p.def.source.plugin << ", "
            << p.def.transforms.size() << " transform(s), " << p.def.sinks.size() << " sink(s), "
            << p.def.checkpoint_hooks.size() + p.def.backlog_hooks.size() << " hook(s)" << std::endl;
  return kExitOk;
}

int plugins_command(const GlobalOptions& g, bool show_options) {
  core::PluginRegistry registry(core::PluginRegistry::default_search_dirs(g.plugin_paths));
  std::cout << std::left << std::setw(16) << "NAME" << std::setw(10) << "VERSION" << std::setw(6)
            << "ABI" << std::setw(34) << "KINDS" << "FILE" << "\n";
  for (const core::LoadedPlugin* p : registry.all()) {
    std::cout << std::setw(16) << p->name() << std::setw(10) << p->descriptor().version
              << std::setw(6) << core::abi_version_string(p->abi_version()) << std::setw(34)
              << core::kinds_string(p->kinds()) << p->file().string() << "\n";
    if (!show_options) continue;
    const FerryPluginDescriptor& d = p->descriptor();
    for (size_t k = 0; k < d.n_kinds; ++k) {
      const FerryKindSpec& ks = d.kinds[k];
      std::cout << "    " << core::kinds_string(ks.kind);
      if (ks.capabilities & FERRY_CAP_TRANSACTIONAL) std::cout << " [transactional]";
      if (ks.capabilities & FERRY_CAP_IDEMPOTENT) std::cout << " [idempotent]";
      if (ks.description) std::cout << ": " << ks.description;
      std::cout << "\n";
      for (size_t o = 0; o < ks.n_options; ++o) {
        const FerryOptionSpec& os = ks.options[o];
        std::cout << "      " << std::setw(18) << os.name << std::setw(8) << option_type(os.type);
        if (os.flags & FERRY_OPTION_REQUIRED) std::cout << "required ";
        if (os.flags & FERRY_OPTION_SECRET) std::cout << "secret ";
        if (os.default_json) std::cout << "default " << os.default_json << " ";
        if (os.description) std::cout << "- " << os.description;
        std::cout << "\n";
      }
    }
  }
  for (const core::PluginLoadFailure& f : registry.failures())
    std::cerr << "warning: " << f.message << "\n";
  if (registry.all().empty()) {
    std::string dirs;
    for (const auto& d : registry.search_dirs()) dirs += (dirs.empty() ? "" : ":") + d.string();
    throw core::Error("no plugins found (searched " + dirs + ")");
  }
  return kExitOk;
}

int checkpoint_show_command(const GlobalOptions& g, const std::string& pipeline) {
  LoadedPipeline p = load_pipeline(pipeline, g.plugin_paths, false);
  auto state = open_state(p.def);
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
                             const std::optional<std::string>& partition) {
  LoadedPipeline p = load_pipeline(pipeline, g.plugin_paths, false);
  auto state = open_state(p.def, core::StateCheck::Thorough);
  auto lock = state->lock_pipeline(p.def.name, core::this_process("checkpoint reset"));
  int64_t n = state->reset_checkpoints(p.def.name, partition);
  std::cout << "removed " << n << " checkpoint(s) of pipeline '" << p.def.name << "'";
  if (partition) std::cout << " (partition '" << *partition << "')";
  std::cout << "\nthe next run reads " << (partition ? "it" : "every partition")
            << " from the start and delivers it again to every sink, also to transactional sinks that hold a "
               "checkpoint of their own\n";
  return kExitOk;
}

}  // namespace ferry::cli
