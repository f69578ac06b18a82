// The dead-letter queue commands: list, show, discard, export, and replay.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <fstream>
#include <iomanip>
#include <iostream>

#include <boost/json.hpp>

#include "admin/status_report.h"
#include "cli/admin_setup.h"
#include "cli/events.h"
#include "common/json_out.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "cli/loaded_pipeline.h"
#include "cli/time_arg.h"
#include "cli/progress_args.h"
#include "common/error.h"
#include "engine/dead_letters.h"
#include "engine/engine.h"

namespace ferry::cli {
namespace {

// `state` answers whether an entry has a class this ferry does not write
// (an older one did): selecting it is no typo then.
core::DlqFilter make_filter(const core::PipelineDef& def, const DlqSelection& s, core::StateStore& state) {
  const std::string& pipeline = def.name;
  core::DlqFilter f;
  f.pipeline = pipeline;
  if (s.status) {
    f.status = core::parse_dlq_status(*s.status);
    if (!f.status)
      throw UsageError("unknown status '" + *s.status + "' (pending, resolved, failed_again, discarded)");
  }
  f.sink = s.sink;
  f.error_class = s.error_class;
  if (s.error_class && !core::is_error_class(*s.error_class)) {
    core::DlqFilter any;
    any.pipeline = pipeline;
    any.error_class = s.error_class;
    any.limit = 1;
    if (state.list_dlq(any).empty())
      throw UsageError("unknown error class '" + *s.error_class + "' (" + core::error_class_list() + ")");
  }
  // Entries may name a sink an earlier definition had; a name neither has
  // is a typo, which must not read as "the queue holds none of those".
  if (s.sink && std::none_of(def.sinks.begin(), def.sinks.end(), [&](const auto& k) { return k.name == *s.sink; })) {
    core::DlqFilter any;
    any.pipeline = pipeline;
    any.sink = s.sink;
    any.limit = 1;
    if (state.list_dlq(any).empty())
      throw UsageError("pipeline '" + pipeline + "' has no sink named '" + *s.sink +
                       "', and no DLQ entry is addressed to one");
  }
  if (s.since) f.since_ms = parse_time_arg(*s.since, "--since");
  f.ids = s.ids;
  return f;
}

bool selects_something(const DlqSelection& s) {
  return s.status || s.sink || s.error_class || s.since || !s.ids.empty();
}

// Pages through every entry the filter selects (the first `most`; 0: all),
// in id order, so memory does not grow with the size of the queue.
template <typename F>
int64_t for_each_entry(core::StateStore& state, core::DlqFilter f, F&& visit, int64_t most = 0) {
  constexpr int64_t kPage = 1000;
  int64_t n = 0;
  for (;;) {
    f.limit = most > 0 ? std::min(kPage, most - n) : kPage;
    std::vector<core::DlqEntry> page = state.list_dlq(f);
    for (const core::DlqEntry& e : page) {
      visit(e);
      ++n;
    }
    if (static_cast<int64_t>(page.size()) < f.limit || n == most) return n;
    f.after_id = page.back().id;
  }
}

std::atomic<bool> g_cancel{false};
extern "C" void on_replay_signal(int sig) {
  if (g_cancel.exchange(true)) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

}  // namespace

int dlq_list_command(const GlobalOptions& g, const DlqListArgs& a) {
  LoadedPipeline p = load_pipeline(a.pipeline, g.plugin_paths, false);
  auto state = open_state_to_read(p.def);
  core::DlqFilter f = make_filter(p.def, a.select, *state);
  f.limit = a.limit;
  std::vector<core::DlqEntry> entries = state->list_dlq(f);
  std::cout << std::left << std::setw(8) << "ID" << std::setw(13) << "STATUS" << std::setw(16) << "STAGE"
            << std::setw(16) << "CLASS" << std::setw(26) << "PARTITION" << std::setw(12) << "POSITION"
            << "MESSAGE\n";
  for (const core::DlqEntry& e : entries)
    std::cout << std::setw(8) << e.id << std::setw(13) << core::to_string(e.status) << std::setw(16)
              << truncate(e.stage, 15) << std::setw(16) << e.error_class << std::setw(26)
              << truncate(e.partition, 25) << std::setw(12) << truncate(printable(e.position), 11)
              << truncate(e.message, 100) << "\n";
  std::cout << entries.size() << " entr" << (entries.size() == 1 ? "y" : "ies");
  if (a.limit > 0 && static_cast<int64_t>(entries.size()) == a.limit) std::cout << " (limit reached; use --limit)";
  std::cout << "\n";
  for (const auto& [status, count] : state->count_dlq(p.def.name))
    if (count) std::cout << core::to_string(status) << ": " << count << "  ";
  std::cout << "\n";
  return kExitOk;
}

int dlq_show_command(const GlobalOptions& g, const std::string& pipeline, int64_t id) {
  LoadedPipeline p = load_pipeline(pipeline, g.plugin_paths, false);
  auto state = open_state_to_read(p.def);
  std::optional<core::DlqEntry> e = state->get_dlq(p.def.name, id);
  if (!e) throw core::Error("pipeline '" + p.def.name + "' has no DLQ entry " + std::to_string(id));
  std::cout << core::json_text(core::dlq_entry_json(*e)) << "\n";
  return kExitOk;
}

int dlq_discard_command(const GlobalOptions& g, const std::string& pipeline, const DlqSelection& s) {
  if (!selects_something(s))
    throw UsageError("refusing to discard every entry: name them with --id, --status, --sink, --class or --since");
  LoadedPipeline p = load_pipeline(pipeline, g.plugin_paths, false);
  auto state = open_state_to_read(p.def);
  std::vector<int64_t> ids;
  for_each_entry(*state, make_filter(p.def, s, *state), [&](const core::DlqEntry& e) {
    if (e.status != core::DlqStatus::Discarded && e.status != core::DlqStatus::Resolved) ids.push_back(e.id);
  });
  if (std::optional<std::string> why = core::discard_refused(*state, p.def.name, ids)) throw core::Error(*why);
  for (int64_t id : ids) state->update_dlq(p.def.name, id, core::DlqStatus::Discarded, std::nullopt, std::nullopt);
  std::cout << "discarded " << ids.size() << " entr" << (ids.size() == 1 ? "y" : "ies") << "\n";
  return kExitOk;
}

int dlq_export_command(const GlobalOptions& g, const std::string& pipeline, const DlqSelection& s,
                       const std::string& output, int64_t limit) {
  LoadedPipeline p = load_pipeline(pipeline, g.plugin_paths, false);
  auto state = open_state_to_read(p.def);
  std::ofstream file;
  if (output != "-") {
    file.open(output, std::ios::trunc);
    if (!file) throw core::Error("cannot write " + output);
  }
  std::ostream& out = output == "-" ? std::cout : file;
  int64_t n = for_each_entry(*state, make_filter(p.def, s, *state), [&](const core::DlqEntry& e) {
    out << core::json_text(core::dlq_entry_json(e)) << "\n";
  }, limit);
  out.flush();
  if (!out) throw core::Error("writing " + output + " failed");
  if (output != "-")
    print_event("dlq_exported", "exported " + std::to_string(n) + " entries to " + output,
                {{"pipeline", p.def.name}, {"entries", n}, {"file", output}}, core::LogLevel::Info, stderr);
  return kExitOk;
}

int replay_command(const GlobalOptions& g, const ReplayArgs& a) {
  LoadedPipeline p = load_pipeline(a.pipeline, g.plugin_paths);
  DlqSelection select = a.select;
  if (!select.status) select.status = "pending";
  auto state = a.dry_run ? open_state_to_read(p.def) : open_state(p.def, core::StateCheck::Thorough);
  core::ReplayOptions replay;
  replay.filter = make_filter(p.def, select, *state);
  replay.sink = select.sink;  // selects the entries addressed to it, and delivers there
  if (std::optional<std::string> why = core::replay_refused(p.def, replay)) throw UsageError(*why);
  core::EngineOptions options;
  options.cancel = &g_cancel;
  std::signal(SIGINT, on_replay_signal);
  std::signal(SIGTERM, on_replay_signal);
  apply_progress(a.no_progress, a.progress_interval, options);
  options.dry_run = a.dry_run;
  options.kind = "replay";
  options.replay = replay;
  ServedCommand served(p.def, *state, a.admin, "a replay");
  served.attach(options);
  core::Engine engine(p.def, *p.plugins, *state);
  core::RunSummary s = engine.run(options);
  const core::ReplayCounts& c = s.replay;
  const std::string status = core::to_string(s.status);
  std::string text = std::string(a.dry_run ? "dry run: " : "") + "replay of " + p.def.name + ": " + status +
                     " — selected " + std::to_string(c.selected) + ", " +
                     (a.dry_run ? "would resolve " : "resolved ") + std::to_string(c.resolved) + ", " +
                     (a.dry_run ? "would fail again " : "failed again ") + std::to_string(c.failed_again) +
                     ", not replayable " + std::to_string(c.skipped);
  if (c.already_done) text += " (" + std::to_string(c.already_done) + " delivered by an interrupted replay)";
  // A dry run opens no sink: "would resolve" counts what the transforms
  // pass, not what the sinks would accept.
  if (a.dry_run) text += " (sinks not asked: a record they refuse again would fail again)";
  if (!s.message.empty()) text += " (" + s.message + ")";
  boost::json::object fields = summary_fields(p.def.name, s);
  fields["status"] = status;
  fields["dry_run"] = a.dry_run;
  fields["selected"] = c.selected;
  fields["resolved"] = c.resolved;
  fields["failed_again"] = c.failed_again;
  fields["not_replayable"] = c.skipped;
  fields["delivered_by_interrupted_replay"] = c.already_done;
  print_event("replay_summary", text, fields);
  if (s.status == core::RunStatus::Stopped && g_cancel.load()) return kExitInterrupted;
  // As a run that failed (a hook that stopped it, say): the summary above,
  // then the error.
  if (s.status == core::RunStatus::Failed)
    throw core::Error(s.message.empty() ? "the replay of " + p.def.name + " failed" : s.message);
  // Incomplete exits 1, a dry run too: it says what the replay would do. So
  // does a replay a hook stopped while records had failed again.
  if (s.status == core::RunStatus::Incomplete || (c.failed_again > 0 && !a.dry_run)) {
    std::string said;
    if (c.failed_again > 0)
      said = a.dry_run ? std::to_string(c.failed_again) + " record(s) would fail again"
                       : std::to_string(c.failed_again) + " record(s) failed again; see: ferry dlq list " +
                             a.pipeline + " --status failed_again";
    if (c.skipped > 0)
      said += (said.empty() ? "" : "; ") + std::to_string(c.skipped) +
              " record(s) not replayable, left pending: lines the source could not parse (correct the input "
              "and run again, then discard them), or entries for a stage or sink the pipeline no longer has "
              "(see the warnings above)";
    print_event("replay_failed_again", "ferry: " + said,
                {{"pipeline", p.def.name}, {"failed_again", c.failed_again}, {"not_replayable", c.skipped}},
                core::LogLevel::Error, stderr);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace ferry::cli
