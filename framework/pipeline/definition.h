// The pipeline definition: a JSON file parsed, checked and normalised before
// any data moves. Errors carry the JSON Pointer of the offending value
// ("/sinks/1/config/table"), or line and column for a syntax error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "common/error.h"

struct FerryPluginDescriptor;

namespace ferry::core {

struct DefinitionIssue {
  std::string path;     // JSON Pointer, "" for the document; "line 3, column 7" for syntax
  std::string message;  // what is wrong, without the path
};

// Thrown with every issue found; what() is "FILE: PATH: MESSAGE" of the first.
class DefinitionError : public Error {
 public:
  DefinitionError(std::string file, std::vector<DefinitionIssue> issues);
  const std::vector<DefinitionIssue>& issues() const { return issues_; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<DefinitionIssue> issues_;
};

enum class OnExhausted { DeadLetter, Fail };

// The defaults ride out a target that is away for 30 seconds (a server
// restart, a failover): the delays before the 12th attempt add up to at
// least 37.75 s and at most 75.5 s (see engine/backoff.h).
struct RetryPolicy {
  uint32_t max_attempts = 12;         // attempts in all, including the first
  uint64_t initial_delay_ms = 500;
  uint64_t max_delay_ms = 10000;      // cap of one delay
  double multiplier = 2.0;
  uint64_t max_elapsed_ms = 120000;   // give up after this long in all
  OnExhausted on_exhausted = OnExhausted::DeadLetter;
};

enum class CommitPolicyKind { All, Required, Quorum };
struct CommitPolicy {
  CommitPolicyKind kind = CommitPolicyKind::All;
  uint32_t quorum = 0;  // for Quorum
};

// A plugin use: source, transform, hook.
struct StageDef {
  std::string name;         // unique within its list; defaults to the plugin name
  std::string plugin;
  boost::json::object config;  // after ${VAR} substitution and defaults
  std::string json_path;    // "/source", "/transforms/0", ...
  // Hooks only ("on_failure": "continue" | "stop"): what a hook that still
  // fails after its retries does to the pipeline. Data stays committed.
  bool stop_on_failure = false;
};

struct SinkDef : StageDef {
  bool required = true;
  RetryPolicy retry;
};

enum class StateKind { Sqlite, Memory, Postgres };
struct StateDef {
  StateKind kind = StateKind::Sqlite;
  std::filesystem::path path;   // sqlite: absolute; default "<pipeline name>.state.db" beside the file
  std::string dsn;              // postgres
  // How long a batch's commit may wait in memory to be saved with later
  // ones (CommitRecord::may_wait_ms); 0: each batch on its own.
  uint32_t group_commit_ms = 100;
};

struct PipelineDef {
  std::string name;
  std::filesystem::path file;       // absolute path of the definition
  std::filesystem::path base_dir;   // its directory
  StateDef state;
  StageDef source;
  std::vector<StageDef> transforms;
  std::vector<SinkDef> sinks;
  std::vector<StageDef> checkpoint_hooks;
  std::vector<StageDef> backlog_hooks;
  std::optional<StageDef> orchestrator;  // plans workers for the partitions
  uint64_t max_batch_records = 1000;
  uint64_t max_batch_bytes = 8 * 1024 * 1024;
  uint32_t queue_depth = 4;         // batches in flight between reader and writer
  // Partitions run concurrently on this many workers; 0 = "auto" (planned
  // from the machine's cores and memory and the partition count).
  uint32_t parallelism = 1;
  // Add lineage fields (ferry_pipeline, ferry_run_id, ferry_batch_id,
  // ferry_position, ferry_schema_version, ferry_ingested_at) to every record.
  bool lineage = false;
  RetryPolicy retry;                // default for sinks without their own
  CommitPolicy commit_policy;
  std::vector<std::string> secrets; // option values flagged secret, for redaction
};

// What the command that reads a definition does with it. One that only
// reads or edits the state (status, checkpoint show/reset, dlq
// list/show/export/discard) opens no plugin: a stage's config is left as
// written, so its ${VAR}s (a sink's password) need not be set there.
enum class DefinitionUse { kRun, kStateOnly };

// Parses the file and checks its structure (not plugin options).
// Throws DefinitionError. Given `structure_issues`, the issues of a file
// that parses as a JSON object go there instead of being thrown, and the
// definition holds what could be read: a caller that checks the plugins
// next then reports every problem in one round.
PipelineDef parse_pipeline_file(const std::filesystem::path& file, DefinitionUse use = DefinitionUse::kRun,
                                std::vector<DefinitionIssue>* structure_issues = nullptr);
// Same, from text; `file` is used for messages and relative paths.
PipelineDef parse_pipeline_text(const std::string& text, const std::filesystem::path& file,
                                DefinitionUse use = DefinitionUse::kRun,
                                std::vector<DefinitionIssue>* structure_issues = nullptr);

// Looks up plugin descriptors by name; nullptr when none is found.
class DescriptorLookup {
 public:
  virtual ~DescriptorLookup() = default;
  virtual const FerryPluginDescriptor* find(const std::string& plugin) const = 0;
  // Extra words for an "unknown plugin" message: the known names, files
  // that failed to load and why. Empty by default.
  virtual std::string why_missing(const std::string& /*plugin*/) const { return {}; }

  // What a plugin's own configuration check (ABI 1.3) is given.
  struct ConfigCheck {
    uint32_t kind = 0;  // a FERRY_KIND_* bit
    std::string config_json;
    std::string pipeline;
    std::string name;
    std::string base_dir;
    uint64_t max_batch_records = 0;
    uint64_t max_batch_bytes = 0;
    // A backfill window's, as its run would open the plugin with them.
    std::string data_date;
    std::string window_start;
    std::string window_end;
  };
  // Runs the plugin's check_config when it has one: why it refuses the
  // configuration, or nothing. Nothing by default.
  virtual std::optional<std::string> check_config(const std::string& /*plugin*/,
                                                  const ConfigCheck& /*check*/) const {
    return std::nullopt;
  }
};

// Checks every stage against the options its plugin declares (unknown keys,
// missing required options, wrong types, unknown plugins, a plugin that
// lacks the kind asked of it), fills in defaults and records secret values;
// then lets each plugin check the rest of its stage's configuration.
// Throws DefinitionError with every issue found.
// `structure_issues` (from parse_pipeline_file) come first in the error; a
// stage they concern is not checked against its plugin.
void validate_against_plugins(PipelineDef& def, const DescriptorLookup& plugins,
                              std::vector<DefinitionIssue> structure_issues = {});
// The same for one stage of `def` used as `kind` (ferry plugin check).
void validate_stage_against_plugin(PipelineDef& def, StageDef& stage, uint32_t kind,
                                   const DescriptorLookup& plugins);
// What a plugin's check_config is asked about `stage` of `def` used as
// `kind`, outside any backfill window.
DescriptorLookup::ConfigCheck config_check_of(const PipelineDef& def, const StageDef& stage, uint32_t kind);

}  // namespace ferry::core
