// `ferry`: runs and inspects pipelines. Every failure ends with one line on
// stderr that says what and where, and a non-zero exit code.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <iostream>
#include <limits>

#include <boost/json.hpp>

#include "cli/commands.h"
#include "cli/number_checks.h"
#include "common/allocator.h"
#include "common/json_out.h"
#include "common/log.h"
#include "pipeline/definition.h"
#include "plugin/loaded_plugin.h"
#include "plugin/plugin_call.h"

using namespace ferry;

namespace {

// The last line of a failed command, on stderr: text, or one JSON event
// under --log-format json.
int fatal(ferry::core::Logger& logger, int exit_code, const std::string& text, boost::json::object fields) {
  fields["exit_code"] = exit_code;
  logger.event(ferry::core::LogLevel::Error, "fatal", text, ferry::core::json_text(fields), stderr);
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  core::keep_freed_memory_for_reuse();
  CLI::App app{"Ferry: run data pipelines defined in JSON, with plugins for every source and sink.",
               "ferry"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("ferry ") + FERRY_VERSION + " (plugin ABI " +
                                        core::abi_version_string(core::host_abi_versions().front()) + ")");
  cli::GlobalOptions g;
  std::string log_level = "info";
  std::string log_format = "text";
  app.add_option("--plugin-path", g.plugin_paths,
                 "Directory with plugins (repeatable, or colon-separated); searched before "
                 "FERRY_PLUGIN_PATH and the install location");
  app.add_option("--log-level", log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  app.add_option("--log-format", log_format, "text or json (one JSON object per line)")
      ->check(CLI::IsMember({"text", "json"}));

  cli::RunArgs run;
  CLI::App* run_cmd = app.add_subcommand("run", "Run a pipeline until its source is exhausted");
  run_cmd->add_option("pipeline", run.pipeline, "Pipeline definition (JSON)")->required();
  run_cmd->add_flag("--dry-run", run.dry_run, "Read and transform, write nothing (no sink, no checkpoint, no DLQ)");
  run_cmd->add_flag("--no-progress", run.no_progress, "Do not show progress");
  auto add_progress_interval = [](CLI::App* cmd, int64_t& seconds) {
    cmd->add_option("--progress-interval", seconds,
                    "Without a terminal, log progress every this many seconds (0: never; default 30)")
        ->check(cli::whole_number(0, std::numeric_limits<int64_t>::max(), "a whole number of seconds"));
  };
  add_progress_interval(run_cmd, run.progress_interval);
  run_cmd
      ->add_option("--lease-seconds", run.lease_seconds,
                   "With PostgreSQL state, where runs share the pipeline as workers: a worker that renews no "
                   "lease for this long loses its partitions to the others (default 30)")
      ->check(cli::whole_number(1, 86400, "a whole number of seconds"));
  run_cmd->add_flag("--exclusive", run.exclusive,
                    "Hold the pipeline alone even where runs could share it as workers: other runs are refused "
                    "while this one runs, and it is refused while workers run");
  auto add_run_tuning = [](CLI::App* cmd, cli::RunArgs& r) {
    cmd->add_option("--rate", r.rate, "Read at most this many records per second (token bucket)")
        ->check(cli::records_per_second());
    cmd->add_option("--parallelism", r.parallelism, "Workers for the partitions: auto or a number");
  };
  add_run_tuning(run_cmd, run);
  auto add_admin = [](CLI::App* cmd, cli::AdminArgs& a, bool required) {
    CLI::Option* listen =
        cmd->add_option("--admin", a.listen, "Serve the admin API and /metrics here (e.g. 127.0.0.1:9464)");
    if (required) listen->required();
    cmd->add_option("--admin-token-env", a.token_env, "Require this environment variable's value as a bearer token");
    cmd->add_flag("--admin-insecure", a.insecure,
                  "Serve beyond loopback without a token (anyone who reaches it can reset checkpoints)");
  };
  add_admin(run_cmd, run.admin, false);

  cli::ServeArgs serve;
  CLI::App* serve_cmd = app.add_subcommand("serve", "Serve the admin API over a pipeline's state, without running it");
  serve_cmd->add_option("pipeline", serve.pipeline, "Pipeline definition (JSON)")->required();
  add_admin(serve_cmd, serve.admin, true);

  std::string pipeline;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check a pipeline definition against its plugins");
  validate_cmd->add_option("pipeline", pipeline, "Pipeline definition (JSON)")->required();

  cli::PluginListing listing = cli::PluginListing::kOptions;
  CLI::App* plugins_cmd = app.add_subcommand("plugins", "List the plugins found, with their options");
  CLI::Option* brief = plugins_cmd->add_flag(
      "--brief", [&](int64_t) { listing = cli::PluginListing::kBrief; }, "Names only");
  plugins_cmd
      ->add_flag("--markdown", [&](int64_t) { listing = cli::PluginListing::kMarkdown; },
                 "The option reference of every plugin, as Markdown")
      ->excludes(brief);

  cli::PluginCheckArgs check;
  CLI::App* plugin_cmd = app.add_subcommand("plugin", "Tools for plugin authors");
  plugin_cmd->require_subcommand(1);
  CLI::App* check_cmd = plugin_cmd->add_subcommand(
      "check", "Run the conformance checks on a plugin .so: exports, negotiation, options, each kind's contract");
  check_cmd->add_option("library", check.library, "The plugin file (.so)")->required();
  check_cmd->add_option("--config", check.config_json,
                        "The kinds' configuration, a JSON object as in a pipeline's \"config\" (default {})");
  check_cmd->add_option("--kind", check.kind, "Check only this kind's contract")
      ->check(CLI::IsMember({"source", "transform", "sink", "checkpoint-hook", "backlog-hook", "orchestrator"}));
  check_cmd->add_option("--count-rows", check.count_rows,
                        "A shell command that prints how many rows the sink's target holds; with it the kit "
                        "checks that aborted rows were not committed");
  check_cmd->add_flag("--json", check.json, "Print the checks as JSON");

  cli::InitArgs init;
  CLI::App* init_cmd = app.add_subcommand("init", "Write a pipeline to start from: file (default), postgres, mysql, s3, elasticsearch");
  init_cmd->add_option("template", init.template_name, "Template name");
  init_cmd->add_option("-o,--output", init.output, "Where to write it (default pipeline.json)");
  init_cmd->add_flag("--force", init.force, "Overwrite an existing file");

  CLI::App* schema_cmd =
      app.add_subcommand("schema", "Print a JSON Schema of pipeline files, with every plugin's options");

  CLI::App* cp_cmd = app.add_subcommand("checkpoint", "Show or reset checkpoints");
  cp_cmd->require_subcommand(1);
  CLI::App* cp_show = cp_cmd->add_subcommand("show", "Show checkpoints and per-sink acknowledgements");
  cp_show->add_option("pipeline", pipeline, "Pipeline definition (JSON)")->required();
  std::optional<std::string> partition;
  CLI::App* cp_reset = cp_cmd->add_subcommand("reset", "Forget checkpoints so the next run starts over");
  cp_reset->add_option("pipeline", pipeline, "Pipeline definition (JSON)")->required();
  cp_reset->add_option("--partition", partition, "Only this partition");
  bool reset_allow_open_dlq = false;
  cp_reset->add_flag("--allow-open-dlq", reset_allow_open_dlq,
                     "Reset even while open DLQ entries hold records it reads again (a replay then writes them twice)");

  CLI::App* dlq_cmd = app.add_subcommand("dlq", "Inspect and manage the dead-letter queue");
  dlq_cmd->require_subcommand(1);
  cli::DlqListArgs dlq;
  auto add_selection = [](CLI::App* cmd, cli::DlqSelection& s,
                          const char* statuses = "pending, resolved, failed_again or discarded") {
    cmd->add_option("--status", s.status, statuses);
    cmd->add_option("--sink", s.sink, "Only entries addressed to this sink");
    cmd->add_option("--class", s.error_class, "Only this error class (invalid_data, retry_exhausted, ...)");
    cmd->add_option("--since", s.since, "Only entries created at or after this time (2026-11-21T09:00:00Z)");
    cmd->add_option("--id", s.ids, "Only these entry ids (repeatable)")
        ->check(cli::whole_number(1, std::numeric_limits<int64_t>::max(), "an entry id"));
  };
  CLI::App* dlq_list = dlq_cmd->add_subcommand("list", "List dead-letter entries");
  dlq_list->add_option("pipeline", dlq.pipeline, "Pipeline definition (JSON)")->required();
  add_selection(dlq_list, dlq.select);
  dlq_list->add_option("--limit", dlq.limit, "At most this many entries (default 100; 0: all)")
      ->check(cli::whole_number(0, std::numeric_limits<int64_t>::max(), "a whole number of entries"));
  int64_t dlq_id = 0;
  CLI::App* dlq_show = dlq_cmd->add_subcommand("show", "Show one entry with its record, as JSON");
  dlq_show->add_option("pipeline", pipeline, "Pipeline definition (JSON)")->required();
  dlq_show->add_option("id", dlq_id, "Entry id")
      ->required()
      ->check(cli::whole_number(1, std::numeric_limits<int64_t>::max(), "an entry id"));
  cli::DlqSelection discard_sel;
  CLI::App* dlq_discard = dlq_cmd->add_subcommand("discard", "Mark entries discarded (they are kept, not replayed)");
  dlq_discard->add_option("pipeline", pipeline, "Pipeline definition (JSON)")->required();
  add_selection(dlq_discard, discard_sel);
  cli::DlqSelection export_sel;
  std::string export_out = "-";
  CLI::App* dlq_export = dlq_cmd->add_subcommand("export", "Write entries as JSON Lines");
  dlq_export->add_option("pipeline", pipeline, "Pipeline definition (JSON)")->required();
  add_selection(dlq_export, export_sel);
  dlq_export->add_option("-o,--output", export_out, "Output file (default: standard output)");
  int64_t export_limit = 0;
  dlq_export->add_option("--limit", export_limit, "At most this many entries, the first by id (default 0: all)")
      ->check(cli::whole_number(0, std::numeric_limits<int64_t>::max(), "a whole number of entries"));

  cli::BackfillArgs backfill;
  CLI::App* backfill_cmd = app.add_subcommand(
      "backfill", "Run a past range as windows, each resumable, with its data_date and bounds");
  backfill_cmd->add_option("pipeline", backfill.run.pipeline, "Pipeline definition (JSON)")->required();
  backfill_cmd->add_option("--from", backfill.from, "Start of the range (2026-01-01 or 2026-01-01T00:00:00Z)")
      ->required();
  backfill_cmd->add_option("--to", backfill.to, "End of the range, exclusive")->required();
  backfill_cmd->add_option("--window", backfill.window, "Window size: 1d (default), 6h, 30m");
  backfill_cmd->add_flag("--dry-run", backfill.run.dry_run, "Read and transform each window; write nothing");
  backfill_cmd->add_flag("--no-progress", backfill.run.no_progress, "Do not show progress");
  add_progress_interval(backfill_cmd, backfill.run.progress_interval);
  add_admin(backfill_cmd, backfill.run.admin, false);
  std::vector<std::string> redo_windows;
  auto redo_opt = backfill_cmd->add_option("--redo", redo_windows,
                                           "Run these windows again even if done (no names: every window)")
                      ->expected(0, -1);
  backfill_cmd->add_flag("--allow-open-dlq", backfill.allow_open_dlq,
                         "Redo even while open DLQ entries hold records of those windows (a replay then writes them "
                         "twice)");
  add_run_tuning(backfill_cmd, backfill.run);

  bool status_json = false;
  CLI::App* status_cmd = app.add_subcommand("status", "Checkpoints, sinks, DLQ, runs, schema versions, backfill");
  status_cmd->add_option("pipeline", pipeline, "Pipeline definition (JSON)")->required();
  status_cmd->add_flag("--json", status_json, "Print JSON, as the admin API serves it");

  cli::ReplayArgs replay;
  CLI::App* replay_cmd = app.add_subcommand(
      "replay", "Deliver dead-letter records again, through the current transforms, to the sink they failed on");
  replay_cmd->add_option("pipeline", replay.pipeline, "Pipeline definition (JSON)")->required();
  // Resolved and discarded entries are never delivered again.
  add_selection(replay_cmd, replay.select, "pending (the default) or failed_again");
  replay_cmd->add_flag("--dry-run", replay.dry_run, "Report what would happen; write nothing");
  replay_cmd->add_flag("--no-progress", replay.no_progress, "Do not show progress");
  add_progress_interval(replay_cmd, replay.progress_interval);
  add_admin(replay_cmd, replay.admin, false);

  // CLI11 says "A subcommand is required" of a misspelt one: name it.
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--plugin-path" || arg == "--log-level" || arg == "--log-format") {
      ++i;
      continue;
    }
    if (!arg.empty() && arg[0] == '-') continue;
    bool known = false;
    std::string names;
    for (const CLI::App* sub : app.get_subcommands({})) {
      known = known || sub->get_name() == arg;
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      std::cerr << "ferry: unknown command '" << arg << "' (commands: " << names << "; see ferry --help)"
                << std::endl;
      return cli::kExitUsage;
    }
    break;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "ferry: " << e.what() << " (see ferry --help)" << std::endl;
    return cli::kExitUsage;
  }

  auto& logger = core::Logger::instance();
  logger.set_level(log_level == "debug" ? core::LogLevel::Debug
                   : log_level == "warn" ? core::LogLevel::Warn
                   : log_level == "error" ? core::LogLevel::Error
                                          : core::LogLevel::Info);
  logger.set_format(log_format == "json" ? core::LogFormat::Json : core::LogFormat::Text);
  core::install_plugin_crash_report(logger.format() == core::LogFormat::Json);

  try {
    if (*run_cmd) return cli::run_command(g, run);
    if (*validate_cmd) return cli::validate_command(g, pipeline);
    if (*plugins_cmd) return cli::plugins_command(g, listing);
    if (*check_cmd) return cli::plugin_check_command(check);
    if (*schema_cmd) return cli::schema_command(g);
    if (*init_cmd) return cli::init_command(init);
    if (*cp_show) return cli::checkpoint_show_command(g, pipeline);
    if (*cp_reset) return cli::checkpoint_reset_command(g, pipeline, partition, reset_allow_open_dlq);
    if (*dlq_list) return cli::dlq_list_command(g, dlq);
    if (*dlq_show) return cli::dlq_show_command(g, pipeline, dlq_id);
    if (*dlq_discard) return cli::dlq_discard_command(g, pipeline, discard_sel);
    if (*dlq_export) return cli::dlq_export_command(g, pipeline, export_sel, export_out, export_limit);
    if (*replay_cmd) return cli::replay_command(g, replay);
    if (*backfill_cmd) {
      if (redo_opt->count() > 0) backfill.redo = redo_windows;
      return cli::backfill_command(g, backfill);
    }
    if (*status_cmd) return cli::status_command(g, pipeline, status_json);
    if (*serve_cmd) return cli::serve_command(g, serve);
  } catch (const cli::UsageError& e) {
    return fatal(logger, cli::kExitUsage, std::string("ferry: ") + e.what() + " (see ferry --help)", {});
  } catch (const core::DefinitionError& e) {
    // As text: the other issues first, one per line, then the first as the
    // error; as JSON: one event carrying every issue.
    boost::json::array issues;
    for (const auto& issue : e.issues()) issues.push_back({{"path", issue.path}, {"message", issue.message}});
    if (logger.format() == core::LogFormat::Text) {
      logger.clear_status_line();
      for (size_t i = 1; i < e.issues().size(); ++i)
        std::cerr << e.file() << ": " << (e.issues()[i].path.empty() ? "" : e.issues()[i].path + ": ")
                  << logger.redact(e.issues()[i].message) << "\n";
    }
    return fatal(logger, cli::kExitUsage, std::string("ferry: error: ") + e.what(),
                 {{"file", e.file()}, {"issues", std::move(issues)}});
  } catch (const std::exception& e) {
    return fatal(logger, cli::kExitFailure, std::string("ferry: error: ") + e.what(), {});
  }
  return cli::kExitUsage;
}
