// `ferry backfill`: a past range cut into windows, each an ordinary run with
// its data_date and bounds, its own checkpoints and a ledger entry, so a
// backfill killed at any moment resumes where it stopped and a window that
// is done is not run again (unless --redo).
#include <unistd.h>

#include <ferry/plugin.h>

#include <atomic>
#include <csignal>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "cli/admin_setup.h"
#include "cli/commands.h"
#include "cli/events.h"
#include "cli/loaded_pipeline.h"
#include "cli/parallelism_arg.h"
#include "cli/time_arg.h"
#include "cli/progress_args.h"
#include "common/error.h"
#include "common/log.h"
#include "engine/dead_letters.h"
#include "engine/engine.h"

namespace ferry::cli {
namespace {

std::atomic<bool> g_cancel{false};
extern "C" void on_backfill_signal(int sig) {
  if (g_cancel.exchange(true)) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

int64_t parse_window(const std::string& text) {
  size_t used = 0;
  long n = 0;
  try {
    n = std::stol(text, &used);
  } catch (const std::exception&) {
  }
  std::string unit = text.substr(used);
  int64_t ms = unit == "d" ? 86400000 : unit == "h" ? 3600000 : unit == "m" ? 60000 : 0;
  if (n <= 0 || ms == 0) throw UsageError("--window must look like 1d, 6h or 30m, not '" + text + "'");
  return n * ms;
}

std::string iso(int64_t ms, bool date_only) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, date_only ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct Window {
  core::WindowOptions options;
  int64_t start_ms;
};

std::vector<Window> split(int64_t from, int64_t to, int64_t step) {
  std::vector<Window> out;
  const bool daily = step % 86400000 == 0 && from % 86400000 == 0;
  for (int64_t t = from; t < to; t += step) {
    Window w;
    w.start_ms = t;
    w.options.data_date = iso(t, true);
    w.options.name = daily ? w.options.data_date : iso(t, false);
    w.options.start = iso(t, false);
    w.options.end = iso(std::min(t + step, to), false);
    out.push_back(std::move(w));
  }
  return out;
}

// What a sink may refuse of a window (the s3 sink: keys that cannot tell
// the windows apart) is asked of every window before any of them moves
// data, not found at the window it breaks.
void check_windows(const LoadedPipeline& p, const std::vector<Window>& windows) {
  for (const core::SinkDef& sink : p.def.sinks) {
    core::DescriptorLookup::ConfigCheck check = core::config_check_of(p.def, sink, FERRY_KIND_SINK);
    for (const Window& w : windows) {
      check.data_date = w.options.data_date;
      check.window_start = w.options.start;
      check.window_end = w.options.end;
      if (std::optional<std::string> why = p.plugins->check_config(sink.plugin, check))
        throw core::Error("window " + w.options.name + ": sink '" + sink.name + "': " + *why);
    }
  }
}

}  // namespace

int backfill_command(const GlobalOptions& g, const BackfillArgs& a) {
  const int64_t from = parse_time_arg(a.from, "--from");
  const int64_t to = parse_time_arg(a.to, "--to");
  if (to <= from) throw UsageError("--to must be after --from");
  const int64_t step = parse_window(a.window);
  std::vector<Window> windows = split(from, to, step);
  if (windows.size() > 100000) throw UsageError("the range makes more than 100,000 windows; use a larger --window");

  LoadedPipeline p = load_pipeline(a.run.pipeline, g.plugin_paths);
  check_windows(p, windows);
  auto state = a.run.dry_run ? open_state_to_read(p.def) : open_state(p.def, core::StateCheck::Thorough);
  // The whole backfill holds the pipeline, not each window on its own:
  // nothing else runs between two windows.
  std::unique_ptr<core::PipelineLock> lock;
  if (!a.run.dry_run) {
    lock = state->lock_pipeline(p.def.name, core::this_process("backfill"));
    state->fail_unfinished_runs(p.def.name, core::unfinished_run_message(*lock));
  }
  std::map<std::string, core::BackfillWindow> ledger;
  for (core::BackfillWindow& w : state->list_windows(p.def.name)) ledger[w.window] = std::move(w);

  std::signal(SIGINT, on_backfill_signal);
  std::signal(SIGTERM, on_backfill_signal);
  ServedCommand served(p.def, *state, a.run.admin, "a backfill");
  core::Engine engine(p.def, *p.plugins, *state);
  const bool redo_all = a.redo && a.redo->empty();
  auto redo = [&](const std::string& name) {
    return redo_all || (a.redo && std::find(a.redo->begin(), a.redo->end(), name) != a.redo->end());
  };
  if (a.redo)
    for (const std::string& name : *a.redo) {
      bool known = false;
      for (const Window& w : windows) known = known || w.options.name == name;
      if (!known) throw UsageError("--redo names window '" + name + "', which is not in the range");
    }
  if (a.redo && !a.allow_open_dlq && !a.run.dry_run) {
    // A window is redone under its next generation ("<window>~1/<partition>").
    std::set<std::string> redone;
    for (const Window& w : windows) {
      auto it = ledger.find(w.options.name);
      if (it != ledger.end() && it->second.status == core::WindowStatus::Done && redo(w.options.name))
        redone.insert(w.options.name);
    }
    const auto of_redone = [&](const std::string& key) {
      const size_t cut = key.find_first_of("~/");
      return cut != std::string::npos && redone.count(key.substr(0, cut)) > 0;
    };
    if (!redone.empty())
      if (std::optional<std::string> why = core::open_entries_read_again(*state, p.def.name, of_redone))
        throw core::Error("not redoing: " + *why);
  }

  if (!json_output())
    std::cout << std::left << std::setw(24) << "WINDOW" << std::setw(10) << "STATUS" << std::setw(12) << "RECORDS"
              << std::setw(10) << "REJECTED" << "SECONDS" << std::endl;
  // One line per window: a row of the table, or a JSON event.
  auto window_line = [&](const std::string& window, const std::string& status, int64_t records,
                         std::optional<int64_t> rejected, std::optional<double> seconds, const std::string& note) {
    std::ostringstream row;
    row << std::left << std::setw(24) << window << std::setw(10) << status << std::setw(12) << records
        << std::setw(10) << (rejected ? std::to_string(*rejected) : "-");
    if (seconds) row << std::fixed << std::setprecision(2) << *seconds;
    row << note;
    boost::json::object fields{{"pipeline", p.def.name}, {"window", window}, {"status", status}, {"records", records}};
    if (rejected) fields["rejected"] = *rejected;
    if (seconds) fields["seconds"] = *seconds;
    print_event("backfill_window", row.str(), fields);
  };
  int64_t done = 0, skipped = 0, total_records = 0;
  for (const Window& window : windows) {
    if (g_cancel.load()) break;
    core::BackfillWindow entry;
    auto it = ledger.find(window.options.name);
    if (it != ledger.end()) entry = it->second;
    entry.pipeline = p.def.name;
    entry.window = window.options.name;
    entry.data_date = window.options.data_date;
    entry.start = window.options.start;
    entry.end = window.options.end;
    if (entry.status == core::WindowStatus::Done && !redo(entry.window)) {
      ++skipped;
      window_line(entry.window, "done", entry.records, std::nullopt, std::nullopt, "(skipped)");
      continue;
    }
    if (entry.status == core::WindowStatus::Done) {
      // A redo starts the window's checkpoints afresh; the sink absorbs the
      // rows again (upsert, or a deterministic object name).
      ++entry.generation;
      entry.records = 0;
    }
    core::EngineOptions options;
    options.cancel = &g_cancel;
    apply_progress(a.run.no_progress, a.run.progress_interval, options);
    options.dry_run = a.run.dry_run;
    options.rate = a.run.rate;
    options.parallelism = parse_parallelism(a.run.parallelism);
    served.attach(options);
    options.kind = "backfill";
    options.lock_held = true;
    options.held_lock = lock.get();
    options.window = window.options;
    if (entry.generation > 0) options.window->name += "~" + std::to_string(entry.generation);
    options.run_id = core::new_run_id();

    if (!a.run.dry_run) {
      entry.status = core::WindowStatus::Running;
      ++entry.attempts;
      entry.run_id = options.run_id;
      entry.message.clear();
      entry.started_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch()).count();
      state->save_window(entry);
    }
    core::RunSummary s;
    try {
      s = engine.run(options);
    } catch (const std::exception& e) {
      if (!a.run.dry_run) {
        entry.status = core::WindowStatus::Failed;
        entry.message = e.what();
        state->save_window(entry);
      }
      throw core::Error("window " + window.options.name + ": " + e.what());
    }
    if (s.status != core::RunStatus::Succeeded) {
      window_line(entry.window, core::to_string(s.status), s.counts.written, s.counts.rejected, s.seconds, "");
      if (s.status == core::RunStatus::Failed) {
        entry.status = core::WindowStatus::Failed;
        entry.message = s.message;
        if (!a.run.dry_run) state->save_window(entry);
        throw core::Error("window " + window.options.name + ": " + s.message);
      }
      break;  // stopped: the window stays "running" and resumes next time
    }
    if (!a.run.dry_run) {
      // Counted from the window's checkpoints: a window resumed after a
      // crash still reports all its records, once.
      const std::string prefix = options.window->name + "/";
      entry.records = 0;
      for (const core::Checkpoint& c : state->list_checkpoints(p.def.name))
        if (c.partition.compare(0, prefix.size(), prefix) == 0) entry.records += c.records;
      entry.status = core::WindowStatus::Done;
      entry.ended_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
      state->save_window(entry);
    }
    ++done;
    total_records += s.counts.written;
    window_line(entry.window, a.run.dry_run ? "would do" : "done", s.counts.written, s.counts.rejected, s.seconds,
                "");
  }
  print_event("backfill_summary",
              std::string(a.run.dry_run ? "dry run: " : "") + "backfill of " + p.def.name + ": " +
                  std::to_string(windows.size()) + " window(s), " + std::to_string(done) +
                  (a.run.dry_run ? " would run, " : " run, ") + std::to_string(skipped) + " already done, " +
                  std::to_string(total_records) + " record(s)",
              {{"pipeline", p.def.name},
               {"dry_run", a.run.dry_run},
               {"windows", windows.size()},
               {"run", done},
               {"already_done", skipped},
               {"records", total_records}});
  if (g_cancel.load()) return kExitInterrupted;
  return kExitOk;
}

}  // namespace ferry::cli
