#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "admin/pipeline_backend.h"
#include "cli/admin_setup.h"
#include "cli/events.h"
#include "cli/loaded_pipeline.h"
#include "cli/parallelism_arg.h"
#include "cli/progress_args.h"
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
  // A dry run stores nothing, and creates no state file for a pipeline
  // never run.
  std::unique_ptr<core::StateStore> state =
      a.dry_run ? open_state_to_read(p.def) : open_state(p.def, core::StateCheck::Thorough);

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  core::EngineOptions options;
  options.cancel = &g_cancel;
  apply_progress(a.no_progress, a.progress_interval, options);
  options.dry_run = a.dry_run;
  options.rate = a.rate;
  options.parallelism = parse_parallelism(a.parallelism);
  options.lease_ttl = std::chrono::seconds(a.lease_seconds);
  options.share = !a.exclusive;
  ServedCommand served(p.def, *state, a.admin, "the pipeline");
  served.attach(options);
  core::Engine engine(p.def, *p.plugins, *state);
  const core::RunSummary s = engine.run(options);
  boost::json::object fields = summary_fields(p.def.name, s);
  fields["dry_run"] = a.dry_run;
  print_event("run_summary", (a.dry_run ? "dry run: " : "") + core::format_summary(p.def.name, s), fields);
  if (s.status == core::RunStatus::Stopped && g_cancel.load()) return kExitInterrupted;
  if (s.status == core::RunStatus::Failed) throw core::Error(s.message);
  return kExitOk;
}

int serve_command(const GlobalOptions& g, const ServeArgs& a) {
  LoadedPipeline p = load_pipeline(a.pipeline, g.plugin_paths);
  std::unique_ptr<core::StateStore> state = open_state(p.def);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  core::Metrics metrics;
  std::atomic<bool> paused{false};
  core::PipelineBackend backend(p.def, *state, metrics, paused, [&](const boost::json::object& request) {
    // Named entries are replayed whether pending or failed again (one
    // replay per status); otherwise every pending entry.
    std::vector<int64_t> ids;
    if (auto it = request.find("ids"); it != request.end())
      for (const auto& id : it->value().as_array()) ids.push_back(id.as_int64());
    std::vector<core::DlqStatus> statuses{core::DlqStatus::Pending};
    if (!ids.empty()) statuses.push_back(core::DlqStatus::FailedAgain);
    core::ReplayCounts total;
    core::RunStatus status = core::RunStatus::Succeeded;
    for (core::DlqStatus selected : statuses) {
      core::EngineOptions options;
      options.cancel = &g_cancel;
      options.kind = "replay";
      options.metrics = &metrics;
      options.dry_run = request.contains("dry_run") && request.at("dry_run").as_bool();
      core::ReplayOptions replay;
      replay.filter.pipeline = p.def.name;
      replay.filter.status = selected;
      replay.filter.ids = ids;
      if (auto it = request.find("sink"); it != request.end()) {
        replay.sink = std::string(it->value().as_string());
        replay.filter.sink = replay.sink;
      }
      options.replay = replay;
      core::Engine engine(p.def, *p.plugins, *state);
      const core::RunSummary s = engine.run(options);
      total.resolved += s.replay.resolved;
      total.failed_again += s.replay.failed_again;
      total.skipped += s.replay.skipped;
      status = core::worse(status, s.status);
    }
    // A dry run delivers nothing and asks no sink: say what it would do.
    const bool dry = request.contains("dry_run") && request.at("dry_run").as_bool();
    return std::string(dry ? "dry run: replay " : "replay ") + core::to_string(status) +
           (dry ? ": would resolve " : ": resolved ") + std::to_string(total.resolved) +
           (dry ? ", would fail again " : ", failed again ") + std::to_string(total.failed_again) +
           ", not replayable " + std::to_string(total.skipped) + (dry ? " (sinks not asked)" : "");
  });
  std::unique_ptr<core::AdminServer> admin = start_admin(a.admin, backend);
  if (!admin) throw core::Error("ferry serve needs --admin ADDRESS");
  std::cout << "serving pipeline '" << p.def.name << "' on http://" << admin->endpoint() << std::endl;
  while (!g_cancel.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  admin->stop();
  return kExitOk;
}

}  // namespace ferry::cli
