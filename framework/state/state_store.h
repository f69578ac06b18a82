// The state store: checkpoints per pipeline and partition, the dead-letter
// queue, and runs. One interface, several back ends (SQLite file, memory; a
// server database later), so nothing here may mention a back end.
//
// Thread-safety: a StateStore may be used from several threads at once.
// Every method either succeeds or throws ferry::core::Error.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ferry::core {

struct Checkpoint {
  std::string pipeline;
  std::string partition;
  std::string position;        // opaque bytes owned by the source
  std::string run_id;
  int64_t records = 0;         // records committed in this partition, all runs
  int64_t updated_at_ms = 0;   // unix ms; set by the store when saved
  std::string schema_version;  // fingerprint of the source schema, may be empty
};

// Per-sink acknowledgement counters of a pipeline (for `checkpoint show`).
struct SinkAck {
  std::string pipeline;
  std::string sink;
  int64_t records = 0;
  int64_t batches = 0;
  int64_t updated_at_ms = 0;
};

enum class DlqStatus { Pending, Resolved, FailedAgain, Discarded };
const char* to_string(DlqStatus s);
std::optional<DlqStatus> parse_dlq_status(const std::string& s);

struct DlqEntry {
  int64_t id = 0;              // assigned by the store
  std::string pipeline;
  std::string run_id;
  std::string partition;
  std::string position;        // source position of the record
  std::string stage;           // "source", a transform name, or a sink name
  std::string sink;            // sink the record is addressed to; empty if none
  std::string record_key;
  std::string record_json;     // {"schema":[...],"values":{...}} or {"raw":"..."}
  std::string error_class;     // "invalid_data", "retry_exhausted", ...
  std::string message;
  int64_t attempts = 1;
  DlqStatus status = DlqStatus::Pending;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct DlqFilter {
  std::string pipeline;                  // required
  std::optional<DlqStatus> status;
  std::optional<std::string> sink;
  std::optional<std::string> error_class;
  std::optional<int64_t> since_ms;       // created_at >= since
  std::vector<int64_t> ids;              // empty = all
  int64_t after_id = 0;                  // keyset paging: id > after_id
  int64_t limit = 0;                     // 0 = no limit
};

enum class RunStatus { Running, Succeeded, Failed, Stopped };
const char* to_string(RunStatus s);

struct RunCounts {
  int64_t read = 0;
  int64_t written = 0;
  int64_t rejected = 0;
  int64_t batches = 0;
};

struct Run {
  std::string id;
  std::string pipeline;
  std::string kind;  // "run", "replay", "backfill"
  int64_t started_at_ms = 0;
  int64_t ended_at_ms = 0;
  RunStatus status = RunStatus::Running;
  RunCounts counts;
  std::string message;
};

// A source schema as first seen in a partition (issue: schema versions).
struct SchemaVersion {
  std::string pipeline;
  std::string partition;
  std::string version;      // fingerprint of the field names and types
  std::string fields_json;  // [{"name":..,"type":..}, ...]
  std::string began_after;  // the checkpoint position the first batch with it followed ("" = start)
  int64_t seen_at_ms = 0;   // set by the store
};

enum class WindowStatus { Pending, Running, Done, Failed };
const char* to_string(WindowStatus s);

// One window of a backfill: its ledger entry.
struct BackfillWindow {
  std::string pipeline;
  std::string window;      // its name, e.g. "2026-01-01"
  std::string data_date;
  std::string start;       // bounds, ISO-8601, [start, end)
  std::string end;
  WindowStatus status = WindowStatus::Pending;
  int64_t records = 0;
  int64_t attempts = 0;    // times it was started
  int64_t generation = 0;  // bumped by --redo: its checkpoints start afresh
  std::string run_id;
  std::string message;
  int64_t started_at_ms = 0;
  int64_t ended_at_ms = 0;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  virtual std::optional<Checkpoint> load_checkpoint(const std::string& pipeline,
                                                    const std::string& partition) = 0;
  virtual std::vector<Checkpoint> list_checkpoints(const std::string& pipeline) = 0;
  // Inserts or replaces the checkpoint of (pipeline, partition); `records`
  // is added to the stored count, and per-sink acks are bumped in the same
  // transaction so the two never disagree.
  virtual void save_checkpoint(const Checkpoint& checkpoint, int64_t records_in_batch,
                               const std::vector<std::string>& acked_sinks) = 0;
  // Deletes one partition's checkpoint, or all of the pipeline's. Returns the
  // number of checkpoints removed.
  virtual int64_t reset_checkpoints(const std::string& pipeline,
                                    const std::optional<std::string>& partition) = 0;
  virtual std::vector<SinkAck> list_sink_acks(const std::string& pipeline) = 0;

  // Adds entries; an entry identical in (pipeline, partition, position,
  // stage, sink) to a pending one is not added twice, so a batch re-delivered
  // after a crash does not duplicate its DLQ entries. Returns the ids.
  virtual std::vector<int64_t> add_dlq(const std::vector<DlqEntry>& entries) = 0;
  virtual std::vector<DlqEntry> list_dlq(const DlqFilter& filter) = 0;
  virtual std::optional<DlqEntry> get_dlq(const std::string& pipeline, int64_t id) = 0;
  // Sets status (and, when given, message and attempts) of one entry.
  virtual void update_dlq(const std::string& pipeline, int64_t id, DlqStatus status,
                          const std::optional<std::string>& message,
                          const std::optional<int64_t>& attempts) = 0;
  // Counts per status for a pipeline, in DlqStatus order.
  virtual std::vector<std::pair<DlqStatus, int64_t>> count_dlq(const std::string& pipeline) = 0;

  virtual void begin_run(const Run& run) = 0;
  virtual void end_run(const std::string& run_id, RunStatus status, const RunCounts& counts,
                       const std::string& message) = 0;
  virtual std::vector<Run> list_runs(const std::string& pipeline, int64_t limit) = 0;

  // Stores a schema version unless (pipeline, partition, version) is known;
  // returns true when it was new.
  virtual bool record_schema_version(const SchemaVersion& v) = 0;
  virtual std::vector<SchemaVersion> list_schema_versions(const std::string& pipeline) = 0;

  // Inserts or replaces the ledger entry of (pipeline, window).
  virtual void save_window(const BackfillWindow& w) = 0;
  virtual std::vector<BackfillWindow> list_windows(const std::string& pipeline) = 0;
};

// "sqlite" with a file path (created if missing, WAL mode), or "memory".
std::unique_ptr<StateStore> open_sqlite_state(const std::string& path);
std::unique_ptr<StateStore> open_memory_state();
// "postgres" with a libpq conninfo string or URI; creates the tables if missing.
std::unique_ptr<StateStore> open_postgres_state(const std::string& dsn);

}  // namespace ferry::core
