#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/loaded_pipeline.h"
#include "cli/parallelism_arg.h"
#include "common/error.h"
#include "common/log.h"
#include "engine/engine.h"

namespace ferry::cli {
namespace {

std::atomic<bool> g_cancel{false};
volatile std::sig_atomic_t g_signals = 0;

extern "C" void on_signal(int sig) {
  // The first signal finishes the current batch and stops; a second one
  // means "now": die of the signal as if Ferry had not caught it.
  if (g_signals++ > 0) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_cancel.store(true);
}

}  // namespace

int run_command(const GlobalOptions& g, const RunArgs& a) {
  LoadedPipeline p = load_pipeline(a.pipeline, g.plugin_paths);
  std::unique_ptr<core::StateStore> state = open_state(p.def);

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  core::EngineOptions options;
  options.cancel = &g_cancel;
  options.progress = !a.no_progress && isatty(STDERR_FILENO);
  options.dry_run = a.dry_run;
  options.rate = a.rate;
  options.parallelism = parse_parallelism(a.parallelism);
  core::Metrics metrics;
  options.metrics = &metrics;
  core::Engine engine(p.def, *p.plugins, *state);
  core::RunSummary s = engine.run(options);
  std::cout << (a.dry_run ? "dry run: " : "") << core::format_summary(p.def.name, s) << std::endl;
  if (s.status == core::RunStatus::Stopped && g_cancel.load()) return kExitInterrupted;
  if (s.status == core::RunStatus::Failed) throw core::Error(s.message);
  return kExitOk;
}

}  // namespace ferry::cli
