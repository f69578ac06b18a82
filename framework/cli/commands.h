// The `ferry` subcommands. Each returns the process exit code and throws
// ferry::core::Error for failures that main() prints as one line.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace ferry::cli {

// A wrong value on the command line: exit code 2, like a parse error.
class UsageError : public core::Error {
 public:
  using core::Error::Error;
};

// Exit codes.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;      // the run failed, a server is down, ...
constexpr int kExitUsage = 2;        // bad command line or pipeline definition
constexpr int kExitInterrupted = 130;

struct GlobalOptions {
  std::vector<std::string> plugin_paths;
};

// --admin, --admin-token-env and --admin-insecure, for every command that
// can serve the admin API.
struct AdminArgs {
  std::optional<std::string> listen;     // listen address of the admin API
  std::optional<std::string> token_env;  // environment variable holding the bearer token
  bool insecure = false;                 // serve beyond loopback without a token
};

struct RunArgs {
  std::string pipeline;
  bool dry_run = false;
  bool no_progress = false;
  int64_t progress_interval = 30;  // seconds between progress log lines without a terminal
  double rate = 0;                         // records/s, 0 = unlimited
  std::optional<std::string> parallelism;  // "auto" or a number
  int64_t lease_seconds = 30;              // workers sharing a pipeline: lease TTL
  bool exclusive = false;                  // never share the pipeline with workers
  AdminArgs admin;
};
int run_command(const GlobalOptions& g, const RunArgs& a);
int validate_command(const GlobalOptions& g, const std::string& pipeline);
// How `ferry plugins` prints: names, names with options, or the option
// reference as Markdown (docs/reference/plugins.md is that output).
enum class PluginListing { kBrief, kOptions, kMarkdown };
int plugins_command(const GlobalOptions& g, PluginListing listing);
struct PluginCheckArgs {
  std::string library;
  std::string config_json = "{}";
  std::string kind;  // "", source, transform, sink, ...
  std::string count_rows;  // a shell command printing the rows in a sink's target
  bool json = false;
};
// The conformance kit: a table of checks; exit 1 when one fails.
int plugin_check_command(const PluginCheckArgs& a);
struct InitArgs {
  std::string template_name = "file";  // file, postgres, mysql, s3, elasticsearch
  std::string output = "pipeline.json";
  bool force = false;
};
// Writes a pipeline to start from (and example data beside it).
int init_command(const InitArgs& a);

// A JSON Schema of pipeline files, from the plugins found.
int schema_command(const GlobalOptions& g);
int checkpoint_show_command(const GlobalOptions& g, const std::string& pipeline);
// Refuses (exit 1) while open DLQ entries hold records it would read again,
// unless `allow_open_dlq`.
int checkpoint_reset_command(const GlobalOptions& g, const std::string& pipeline,
                             const std::optional<std::string>& partition, bool allow_open_dlq);

// Filters shared by the dlq commands and replay.
struct DlqSelection {
  std::optional<std::string> status;
  std::optional<std::string> sink;
  std::optional<std::string> error_class;
  std::optional<std::string> since;  // a time, see time_arg.h
  std::vector<int64_t> ids;
};

struct DlqListArgs {
  std::string pipeline;
  DlqSelection select;
  int64_t limit = 100;
};
int dlq_list_command(const GlobalOptions& g, const DlqListArgs& a);
int dlq_show_command(const GlobalOptions& g, const std::string& pipeline, int64_t id);
int dlq_discard_command(const GlobalOptions& g, const std::string& pipeline, const DlqSelection& s);
int dlq_export_command(const GlobalOptions& g, const std::string& pipeline, const DlqSelection& s,
                       const std::string& output, int64_t limit);

struct ReplayArgs {
  std::string pipeline;
  DlqSelection select;  // status defaults to pending
  bool dry_run = false;
  bool no_progress = false;
  int64_t progress_interval = 30;
  AdminArgs admin;
};
int replay_command(const GlobalOptions& g, const ReplayArgs& a);

struct BackfillArgs {
  RunArgs run;
  std::string from;
  std::string to;
  std::string window = "1d";
  std::optional<std::vector<std::string>> redo;  // empty list: every window
  bool allow_open_dlq = false;  // redo even while open DLQ entries hold records of those windows
};
int backfill_command(const GlobalOptions& g, const BackfillArgs& a);

int status_command(const GlobalOptions& g, const std::string& pipeline, bool json);

struct ServeArgs {
  std::string pipeline;
  AdminArgs admin;
};
// The admin API over a pipeline's state, without running it.
int serve_command(const GlobalOptions& g, const ServeArgs& a);

}  // namespace ferry::cli
