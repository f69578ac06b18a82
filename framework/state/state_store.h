// The state store: checkpoints per pipeline and partition, the dead-letter
// queue, runs, the commit intents of batches in flight, and the pipeline's
// run lock. One interface, two back ends (SQLite, in a file or in memory;
// PostgreSQL), so nothing here may mention a back end.
//
// Thread-safety: a StateStore may be used from several threads at once.
// Every method either succeeds or throws ferry::core::Error.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

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
  // Not stored. A record that may be reported again when its partition is
  // read again (a source's unparseable line, a listing error) is not added
  // while an entry with the same partition, position, stage, sink and record
  // exists that is not resolved. Rows of a batch never set it: two rows may
  // share a position and both fail.
  bool dedup = false;
};

// A change to one DLQ entry made by a commit. Applied only while the entry
// is pending or failed_again: a discarded entry stays discarded.
struct DlqChange {
  int64_t id = 0;
  DlqStatus status = DlqStatus::Resolved;
  std::optional<std::string> message;
  std::optional<int64_t> attempts;
  std::optional<std::string> sink;         // now addressed to this sink
  std::optional<std::string> stage;        // failed again at another stage...
  std::optional<std::string> record_json;  // ... with the record as that stage saw it
  std::optional<std::string> error_class;  // with a new message: what kind of failure it is now
};

// A worker's claim to write a partition: its lease's fencing token. A save
// that carries one is a compare-and-set: it happens only while the lease
// still has that token, else it throws FencedError and changes nothing.
struct Fence {
  std::string partition;
  int64_t token = 0;
};

// Another worker took the partition's lease since this one got it.
class FencedError : public Error {
 public:
  using Error::Error;
};

// Everything one batch's commit leaves in the state store, applied in one
// transaction: the checkpoint, the sinks' acknowledgements, the DLQ entries
// it adds and changes, and the removal of its commit intent.
struct RunCounts {
  int64_t read = 0;
  int64_t written = 0;
  int64_t rejected = 0;
  int64_t batches = 0;
};

struct CommitRecord {
  std::string pipeline;
  std::string partition;                 // checkpoint key; also names the intent
  std::optional<Checkpoint> checkpoint;  // none: the stored position stays
  int64_t records = 0;                   // added to the checkpoint's count
  std::vector<std::pair<std::string, int64_t>> acks;  // sink -> records it took
  std::vector<DlqEntry> add;
  std::vector<DlqChange> change;
  std::optional<Fence> fence;  // a worker's commit: only while its lease stands
  // Added to the counts of this run (when named), with the commit: a run
  // killed later still shows what it committed.
  std::string run_id;
  RunCounts progress;
  int64_t batches = 1;  // how many batches it stands for: each ack's count of batches
  // How long the commit may wait in memory to be saved with later ones
  // (see WaitingCommits for which may); 0: saved before finish_commit
  // returns. Every other operation of the store saves waiting commits
  // first, so nothing read in this process is older than what it wrote.
  int64_t may_wait_ms = 0;
};

// Who holds a pipeline's run lock.
struct LockHolder {
  std::string host;
  int64_t pid = 0;
  std::string command;     // "run", "replay", "backfill", "checkpoint reset"
  int64_t since_ms = 0;
  std::string describe() const;  // "pid 42 on host h (ferry run, since 2026-...Z)"
};

// This process, about to run `command`.
LockHolder this_process(const std::string& command);

// Held while a command changes a pipeline's state; released when destroyed
// or when the process dies.
class PipelineLock {
 public:
  virtual ~PipelineLock() = default;
  // What the previous holder said as it died of a fatal signal (which
  // plugin, stage and call), when it could leave a note; a lock that keeps
  // no notes has none.
  virtual std::optional<std::string> previous_crash() const { return std::nullopt; }
  // Throws Error when the lock is no longer held: a server-side lock ends
  // with its session (a timeout, a dropped connection, a terminated
  // backend), and another run may then take the pipeline. The holder asks
  // before each commit, so it stops before writing alongside that run. A
  // file or in-process lock cannot be lost while this object lives.
  virtual void check_held() {}
  // Whether check_held() can ever throw.
  virtual bool may_be_lost() const { return false; }
};

// What to record for runs left "running" by a process that died, once
// `lock` is taken: the crash note when there is one.
inline std::string unfinished_run_message(const PipelineLock& lock) {
  if (std::optional<std::string> crash = lock.previous_crash()) return "crashed: " + *crash;
  return "the process running it ended without recording an end (killed, or it crashed)";
}

// Another process (or run) holds the pipeline.
class PipelineBusyError : public Error {
 public:
  PipelineBusyError(const std::string& pipeline, const LockHolder& holder);
  const LockHolder& holder() const { return holder_; }

 private:
  LockHolder holder_;
};

// A partition granted to a worker, until it is finished or released, its
// lease expires unrenewed, or its worker's session ends.
struct Lease {
  std::string partition;
  int64_t token = 0;              // fencing token: larger than every earlier grant's
  std::optional<int64_t> from;    // the worker it was taken over from, if it had one
};

// One worker of a pipeline's shared runs (PostgreSQL state). Workers share
// a round: the partitions planned by the worker that started it, each
// read once by whichever worker claims it. While it lives, the worker holds
// the pipeline shared (a replay or reset waits for every worker to leave)
// and renews its leases by heartbeat; when it is destroyed, or its process
// dies, its unfinished partitions are free to take at once.
//
// Thread-safety: every method may be called from any thread.
class WorkerLeases {
 public:
  virtual ~WorkerLeases() = default;
  virtual int64_t worker_id() const = 0;
  // Joins the round in progress, or starts the next with the partitions
  // `plan` returns (called only then, while no other worker can start one).
  // Returns the round's partitions in their order.
  virtual std::vector<std::string> join_round(const std::function<std::vector<std::string>()>& plan) = 0;
  virtual bool started_round() const = 0;
  // A partition of the round nobody holds (or whose holder's lease expired
  // or whose holder is gone), now this worker's; none when there is none.
  virtual std::optional<Lease> claim() = 0;
  // Whether the lease is still this worker's (asked of the state store).
  virtual bool holds(const Lease& lease) = 0;
  // The partition is read to its end for this round. False: the lease was
  // lost meanwhile (the other worker finishes it).
  virtual bool finish(const Lease& lease) = 0;
  // Given back unfinished, for another worker to take now.
  virtual void release(const Lease& lease) noexcept = 0;
  // Whether the heartbeat found the lease taken by another worker.
  virtual bool lost(const Lease& lease) const = 0;
  enum class Round {
    kDone,    // every partition finished
    kOwn,     // what is left is held by this worker
    kOthers,  // another live worker holds some: wait to see it finish or expire
  };
  virtual Round round_state() = 0;
  // Waits up to `ms` for a worker to finish or give back a partition of
  // this pipeline (or for nothing: the caller looks again either way).
  virtual void wait_for_change(std::chrono::milliseconds ms) = 0;
  // Marks the pipeline's runs left "running" by workers that are gone.
  virtual int64_t fail_dead_runs(const std::string& message) = 0;
  // Records the run this worker is doing (shown by `ferry status`).
  virtual void set_run(const std::string& run_id) = 0;
  // Throws Error when this worker's session on the state database ended:
  // its share of the run lock went with it, and an exclusive run may hold
  // the pipeline by now (PipelineLock::check_held).
  virtual void check_held() {}
};

// A worker, a lease, who holds what: for `ferry status` and the admin API.
struct WorkerInfo {
  int64_t id = 0;
  LockHolder holder;
  std::string run_id;
  bool alive = false;
  int64_t heartbeat_age_ms = 0;
};
struct LeaseInfo {
  std::string partition;
  int64_t round = 0;
  bool done = false;
  std::optional<int64_t> owner;
  int64_t token = 0;
  int64_t expires_in_ms = 0;  // negative: expired
  int64_t takeovers = 0;
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
  // Only what a replay of a one-sink pipeline reads (id, stage, sink,
  // record_key, record, status, attempts); the other fields may be left
  // empty. Reading a large DLQ costs less.
  bool replay_fields_only = false;
};

// Incomplete: a replay that ran to its end while records failed again, so
// it did not deliver what it was asked to (it exits 1).
enum class RunStatus { Running, Succeeded, Failed, Stopped, Incomplete };
const char* to_string(RunStatus s);
std::optional<RunStatus> parse_run_status(const std::string& s);
// The status of work done in parts (a replay of pending, then of failed
// again entries): the worst part's, failed before stopped before
// incomplete before succeeded.
RunStatus worse(RunStatus a, RunStatus b);

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

// A source's partition as planned once (ABI 1.5): its name and descriptor.
struct PlannedPartition {
  std::string name;
  std::string descriptor;  // opaque bytes owned by the source
  bool operator==(const PlannedPartition& o) const { return name == o.name && descriptor == o.descriptor; }
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  virtual std::optional<Checkpoint> load_checkpoint(const std::string& pipeline,
                                                    const std::string& partition) = 0;
  virtual std::vector<Checkpoint> list_checkpoints(const std::string& pipeline) = 0;
  // Inserts or replaces the checkpoint of (pipeline, partition); `records`
  // is added to the stored count, and each sink's ack is bumped by as much
  // in the same transaction: a finish_commit of just that. (The engine
  // commits through finish_commit.)
  virtual void save_checkpoint(const Checkpoint& checkpoint, int64_t records_in_batch,
                               const std::vector<std::string>& acked_sinks);
  // Deletes one partition's checkpoint, or all of the pipeline's, with their
  // commit intents (and, for all, the partition plan), and leaves a reset
  // marker: a transactional sink's own
  // checkpoint of a reset partition is then ignored (see was_reset). Returns
  // the number of checkpoints removed.
  virtual int64_t reset_checkpoints(const std::string& pipeline,
                                    const std::optional<std::string>& partition) = 0;
  // Whether the partition (or the whole pipeline) was reset since it was
  // last checkpointed: then "no checkpoint here" means "start over", not
  // "this state store was lost".
  virtual bool was_reset(const std::string& pipeline, const std::string& partition) = 0;
  virtual std::vector<SinkAck> list_sink_acks(const std::string& pipeline) = 0;

  // The pipeline's partitions as the source planned them, in its order;
  // empty when none is stored. `scope` is a backfill window's name, or ""
  // for the pipeline's own runs. Kept until the whole pipeline is reset.
  virtual std::vector<PlannedPartition> load_partition_plan(const std::string& pipeline,
                                                            const std::string& scope) = 0;
  // Replaces the plan of (pipeline, scope).
  virtual void save_partition_plan(const std::string& pipeline, const std::string& scope,
                                   const std::vector<PlannedPartition>& plan) = 0;

  // The intent of the batch in flight in a partition, opaque to the store:
  // saved before the sinks commit, removed by finish_commit. After a crash
  // it tells which batch may have reached which sink.
  // With a fence, only while the lease stands (see Fence).
  virtual void save_intent(const std::string& pipeline, const std::string& partition, const std::string& body,
                           const std::optional<Fence>& fence) = 0;
  void save_intent(const std::string& pipeline, const std::string& partition, const std::string& body) {
    save_intent(pipeline, partition, body, std::nullopt);
  }
  virtual std::optional<std::string> load_intent(const std::string& pipeline,
                                                 const std::string& partition) = 0;
  // The cuts of a partition's batches in flight to a sink whose output is
  // named after the batch (FERRY_CAP_NAMED_BY_BATCH), opaque to the store:
  // saved before such a sink commits a batch, so that after a crash the
  // batches in doubt come again cut as before. Not removed by a commit (the
  // reader of the cuts matches them with the checkpoint); removed with the
  // partition's checkpoint by reset_checkpoints. With a fence, only while
  // the lease stands.
  virtual void save_cuts(const std::string& pipeline, const std::string& partition, const std::string& body,
                         const std::optional<Fence>& fence) = 0;
  virtual std::optional<std::string> load_cuts(const std::string& pipeline, const std::string& partition) = 0;
  // Applies a commit in one transaction (see CommitRecord), now or, when
  // it may wait, with later ones.
  virtual void finish_commit(const CommitRecord& record) = 0;
  // Saves the commits that wait (CommitRecord::may_wait_ms) now.
  virtual void save_waiting_commits() = 0;
  // Whether a commit of the partition waits: when none does, every commit
  // of it made so far is saved.
  virtual bool commits_waiting(const std::string& pipeline, const std::string& partition) = 0;
  // Saves the commits that wait, then makes every saved commit durable:
  // relaxed ones (finish_commit without new DLQ entries) are lost to a
  // power cut until then. Before a source is told a position it may
  // release upstream (ABI 1.8), where no later run could read it again.
  virtual void sync() = 0;

  // Adds entries (see DlqEntry::dedup: every entry added here is checked
  // for a duplicate). Returns the ids, an existing one for a duplicate.
  virtual std::vector<int64_t> add_dlq(const std::vector<DlqEntry>& entries) = 0;
  virtual std::vector<DlqEntry> list_dlq(const DlqFilter& filter) = 0;
  virtual std::optional<DlqEntry> get_dlq(const std::string& pipeline, int64_t id) = 0;
  // The highest DLQ id of the pipeline, 0 when it has none.
  virtual int64_t last_dlq_id(const std::string& pipeline) = 0;
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
  // Marks the pipeline's runs still "running" as failed with `message`.
  // Only sound while holding the pipeline's lock: then nobody runs them.
  virtual int64_t fail_unfinished_runs(const std::string& pipeline, const std::string& message) = 0;

  // Takes the pipeline's run lock, or throws PipelineBusyError naming the
  // holder. One holder at a time across processes (and hosts, for a server
  // back end); a holder that dies releases it.
  virtual std::unique_ptr<PipelineLock> lock_pipeline(const std::string& pipeline, const LockHolder& me) = 0;
  // Who holds it, without taking it.
  virtual std::optional<LockHolder> lock_holder(const std::string& pipeline) = 0;

  // Joins the pipeline's shared runs as a worker (see WorkerLeases), with
  // leases that expire `ttl` after their last renewal. Null when this store
  // keeps no leases (SQLite, memory: one run at a time, lock_pipeline).
  // Throws PipelineBusyError while a command holds the pipeline alone.
  virtual std::unique_ptr<WorkerLeases> join_workers(const std::string& pipeline, const LockHolder& me,
                                                     std::chrono::milliseconds ttl) = 0;
  // The live workers, and the leases of the current round (none without leases).
  virtual std::vector<WorkerInfo> list_workers(const std::string& pipeline) = 0;
  virtual std::vector<LeaseInfo> list_leases(const std::string& pipeline) = 0;

  // Stores a schema version unless (pipeline, partition, version) is known;
  // returns true when it was new.
  virtual bool record_schema_version(const SchemaVersion& v) = 0;
  virtual std::vector<SchemaVersion> list_schema_versions(const std::string& pipeline) = 0;

  // Inserts or replaces the ledger entry of (pipeline, window).
  virtual void save_window(const BackfillWindow& w) = 0;
  virtual std::vector<BackfillWindow> list_windows(const std::string& pipeline) = 0;
};

// How a state file is opened.
enum class StateCheck {
  Quick,     // refuse an existing empty file
  Thorough,  // also run SQLite's integrity check: before a command writes
};

// "sqlite" with a file path (created if missing, WAL mode), or "memory".
// An existing file that is empty or damaged is refused: a lost state is
// never taken for a new one.
std::unique_ptr<StateStore> open_sqlite_state(const std::string& path, StateCheck check = StateCheck::Quick);
std::unique_ptr<StateStore> open_memory_state();
// "postgres" with a libpq conninfo string or URI; creates the tables if missing.
std::unique_ptr<StateStore> open_postgres_state(const std::string& dsn);

}  // namespace ferry::core
