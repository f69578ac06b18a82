/*
 * Part of <ferry/plugin.h>: the function tables of each plugin kind (source, transform,
 * sink, checkpoint and backlog hooks, orchestrator), with the events and
 * facts they are handed.
 * Include <ferry/plugin.h>, which includes every part in order.
 */
#ifndef FERRY_ABI_KINDS_H_
#define FERRY_ABI_KINDS_H_

#ifndef FERRY_PLUGIN_H_INSIDE
#error "include <ferry/plugin.h>, not its parts"
#endif /* the parts are C, inside plugin.h's extern "C" */

/* ------------------------------------------------------------------------ */
/* Plugin kinds                                                             */
/* ------------------------------------------------------------------------ */

typedef void* FerryInstance; /* opaque, owned by the plugin */

/* Source: reads partitions in batches and resumes from positions. */
typedef struct FerrySourceApi {
  uint32_t struct_size;
  uint32_t reserved;
  FerryStatus (*open)(const FerryOpenArgs* args, FerryInstance* out);
  /* Names of the partitions to read (files, key ranges). The array and its
   * strings stay valid until close. */
  FerryStatus (*partitions)(FerryInstance self, const FerryBytes** names,
                            size_t* count);
  /* Start reading `partition`; `position` is the checkpoint to resume right
   * after, or NULL to read from the beginning. */
  FerryStatus (*start)(FerryInstance self, FerryBytes partition,
                       const FerryBytes* position);
  /* Next batch of the started partition: FERRY_OK with `out` filled (the
   * host will release it), FERRY_END_OF_STREAM, or an error. */
  FerryStatus (*next)(FerryInstance self, FerryBatch* out);
  void (*close)(FerryInstance self);
  /* --- 1.1 --- optional (may be NULL): size estimate of a partition, for
   * progress and planning. Unknown values are UINT64_MAX. */
  FerryStatus (*estimate)(FerryInstance self, FerryBytes partition,
                          uint64_t* records, uint64_t* bytes);
  /* --- 1.5 --- optional (both or neither; NULL, or FERRY_NOT_IMPLEMENTED
   * from describe: names only). Partitions planned once: each name with a
   * descriptor, opaque bytes saying what the partition holds (a key range,
   * a file, a slot). The host stores the plan with the pipeline's state and
   * hands each descriptor to whichever instance reads that partition, in
   * this run and the later ones, until the pipeline's checkpoints are reset:
   * partitions computed from live data cannot then drift apart between
   * instances or runs. The arrays and their bytes stay valid until close. */
  FerryStatus (*describe)(FerryInstance self, const FerryBytes** names,
                          const FerryBytes** descriptors, size_t* count);
  /* start, with the descriptor `describe` gave for `partition` (perhaps in
   * another instance or an earlier run). */
  FerryStatus (*start_described)(FerryInstance self, FerryBytes partition,
                                 FerryBytes descriptor, const FerryBytes* position);
  /* --- 1.8 --- optional (may be NULL). `position` of `partition` is
   * committed: the host stored it as the checkpoint and synced it to disk,
   * so no power cut takes it back (every sink acknowledged
   * the batches up to it, or under a commit policy other than "all" their
   * rows went to the DLQ), so a later run never asks for anything before
   * it. A source whose upstream keeps data until told (a replication
   * slot's flush position, a queue's acknowledgement) may release it now.
   * Called on the thread that calls next(), between next() calls, with
   * positions in commit order; the host may skip some and pass only the
   * newest. A non-OK status is logged; the run goes on. */
  FerryStatus (*acknowledged)(FerryInstance self, FerryBytes partition,
                              FerryBytes position);
} FerrySourceApi;

/* Transform: one batch in, one batch out. Rejected input rows are flagged in
 * `outcomes` (n_rows of the input) and go to the DLQ. The output batch may
 * point into the input batch: the host keeps the input alive until it has
 * released the output. The output carries the input's `partition` and
 * `end_position` (the checkpoint is taken from it), also when it has no
 * rows. Any status but FERRY_OK from apply ends the run: reject rows
 * through `outcomes` instead. */
typedef struct FerryTransformApi {
  uint32_t struct_size;
  uint32_t reserved;
  FerryStatus (*open)(const FerryOpenArgs* args, FerryInstance* out);
  FerryStatus (*apply)(FerryInstance self, const FerryBatch* in,
                       FerryBatch* out, FerryRecordOutcome* outcomes);
  void (*close)(FerryInstance self);
} FerryTransformApi;

/* Sink.
 *
 * The host calls write() one or more times, then commit() once:
 *   - write(): stage the rows. Returns FERRY_OK when the call was applied as
 *     a whole, except rows whose outcome the sink set to non-OK (those were
 *     not written). Any other status means nothing of this call was staged
 *     (the host then ignores the outcomes); FERRY_INVALID_DATA makes the
 *     host bisect the rows. If rows staged by earlier calls were lost (the
 *     transaction died), return a fatal status: the host aborts.
 *   - commit(): make everything staged since the last commit durable. On
 *     FERRY_RETRY the host calls abort(), waits, writes the batch again and
 *     commits again, so a sink need not keep staged rows across it. A
 *     transactional sink (FERRY_CAP_TRANSACTIONAL) stores `checkpoint` in
 *     the same transaction as the data; others may ignore it. After commit
 *     returns FERRY_OK the host treats the data as acknowledged. With
 *     FERRY_COMMIT_MAY_DEFER in checkpoint->flags (1.10), a sink with
 *     FERRY_CAP_DEFERRED_COMMIT may answer FERRY_PENDING instead and finish
 *     in the background; see await_commit.
 *   - abort(): drop everything staged since the last commit.
 *   - checkpoint(): transactional sinks return the position they hold for a
 *     partition (found = 0 when none); it is authoritative on resume. */
typedef struct FerrySinkApi {
  uint32_t struct_size;
  uint32_t reserved;
  FerryStatus (*open)(const FerryOpenArgs* args, FerryInstance* out);
  FerryStatus (*write)(FerryInstance self, const FerryBatch* batch,
                       FerryRecordOutcome* outcomes);
  FerryStatus (*commit)(FerryInstance self, const FerryCheckpoint* checkpoint);
  FerryStatus (*abort)(FerryInstance self);
  FerryStatus (*checkpoint)(FerryInstance self, FerryBytes partition,
                            FerryBytes* position, int32_t* found);
  void (*close)(FerryInstance self);
  /* 1.6, with FERRY_CAP_FENCED (NULL otherwise): from now on refuse, with
   * FERRY_FENCED, every commit of `partition` whose fence_token is below
   * `token`. Durable when it returns FERRY_OK, and ordered after any commit
   * of the partition still in flight (it waits for it), so that the
   * checkpoint read next is final. Called by a worker that took the
   * partition's lease, before it reads the checkpoint. */
  FerryStatus (*fence)(FerryInstance self, FerryBytes partition, uint64_t token);
  /* 1.10, with FERRY_CAP_DEFERRED_COMMIT (NULL otherwise): the outcome of
   * the oldest commit answered FERRY_PENDING and not awaited yet, waiting
   * for it if need be. FERRY_OK: it is durable. Anything else is what
   * commit would have answered (FERRY_RETRY: the host writes that batch
   * again; a fatal status ends the run); report the message as for any
   * call. The host awaits pending commits in the order it made them, and
   * every one of them before it calls checkpoint or fence and before it
   * writes a batch again; meanwhile it may write and commit later batches.
   * Pending commits may land out of order only where no record of an
   * earlier one can overwrite a record of a later one (an object per
   * batch); a sink that overwrites by key makes them durable in order.
   * abort() drops only what is staged, never a pending commit. close() may
   * come with commits still pending (the run failed): finish or drop them,
   * none was acknowledged. */
  FerryStatus (*await_commit)(FerryInstance self);
} FerrySinkApi;

/* Fired after every commit: what just committed, per sink. */
typedef struct FerryCheckpointEvent {
  uint32_t struct_size;
  uint32_t reserved;
  FerryBytes pipeline;
  FerryBytes run_id;
  FerryBytes sink;
  FerryBytes partition;
  FerryBytes position;      /* the checkpoint now stored */
  const FerryBatch* batch;  /* the committed rows */
} FerryCheckpointEvent;

/* Fired after every failed write: what just failed. */
typedef struct FerryBacklogEvent {
  uint32_t struct_size;
  uint32_t reserved;
  FerryBytes pipeline;
  FerryBytes run_id;
  FerryBytes sink; /* or the transform that rejected the rows */
  FerryBytes partition;
  const FerryBatch* batch;             /* the failed rows */
  const FerryRecordOutcome* outcomes;  /* one per row: class and message */
  FerryStatus error_class;
  FerryBytes message;
  uint32_t attempts;
  uint32_t reserved2;
} FerryBacklogEvent;

/* Hooks return FERRY_OK to continue, FERRY_STOP to stop the pipeline cleanly,
 * FERRY_RETRY or an error when the hook itself failed. */
typedef struct FerryCheckpointHookApi {
  uint32_t struct_size;
  uint32_t reserved;
  FerryStatus (*open)(const FerryOpenArgs* args, FerryInstance* out);
  FerryStatus (*on_commit)(FerryInstance self,
                           const FerryCheckpointEvent* event);
  void (*close)(FerryInstance self);
} FerryCheckpointHookApi;

typedef struct FerryBacklogHookApi {
  uint32_t struct_size;
  uint32_t reserved;
  FerryStatus (*open)(const FerryOpenArgs* args, FerryInstance* out);
  FerryStatus (*on_failure)(FerryInstance self, const FerryBacklogEvent* event);
  void (*close)(FerryInstance self);
} FerryBacklogHookApi;

/* --- 1.2 --- Orchestrator: plans how the partitions of a run are spread
 * over workers. The host gives it the machine and the partitions (with the
 * source's size estimates) and may follow its plan. */
typedef struct FerryMachineFacts {
  uint32_t struct_size;
  uint32_t cores;
  uint64_t memory_bytes;
  uint64_t max_batch_bytes;       /* the pipeline's batch limit */
  uint32_t queue_depth;           /* batches in flight per worker */
  uint32_t requested_parallelism; /* from the pipeline: 0 = "auto" */
} FerryMachineFacts;

typedef struct FerryPartitionInfo {
  FerryBytes name;
  uint64_t estimated_records; /* UINT64_MAX when unknown */
  uint64_t estimated_bytes;   /* UINT64_MAX when unknown */
} FerryPartitionInfo;

/* A plan: `workers` (0 = let the host decide) and, optionally, a group for
 * each partition (`groups[i]` for partitions[i]; NULL = no grouping).
 * Partitions of one group run on the same worker, one after the other. The
 * arrays are owned by the plugin and stay valid until the next call. */
typedef struct FerryPlan {
  uint32_t struct_size;
  uint32_t workers;
  const uint32_t* groups;
} FerryPlan;

typedef struct FerryOrchestratorApi {
  uint32_t struct_size;
  uint32_t reserved;
  FerryStatus (*open)(const FerryOpenArgs* args, FerryInstance* out);
  FerryStatus (*plan)(FerryInstance self, const FerryMachineFacts* machine,
                      const FerryPartitionInfo* partitions, size_t count,
                      FerryPlan* out);
  void (*close)(FerryInstance self);
} FerryOrchestratorApi;

/* Filled by ferry_plugin_init; NULL for kinds the plugin does not provide.
 * The tables must stay valid while the library is loaded (use statics).
 * A plugin built for 1.0 or 1.1 fills only up to `backlog_hook` and sets
 * struct_size accordingly; the host reads `orchestrator` only when
 * struct_size covers it. */
typedef struct FerryPluginApi {
  uint32_t struct_size;
  uint32_t abi_version; /* the version the plugin accepted */
  const FerrySourceApi* source;
  const FerryTransformApi* transform;
  const FerrySinkApi* sink;
  const FerryCheckpointHookApi* checkpoint_hook;
  const FerryBacklogHookApi* backlog_hook;
  /* --- 1.2 --- */
  const FerryOrchestratorApi* orchestrator;
  /* --- 1.3 --- */
  /* Optional (NULL: nothing to check beyond the option specs). Checks the
   * configuration of one `kind` (a FERRY_KIND_* bit) of this plugin, as it
   * would be opened with `args`, without connecting anywhere, creating
   * anything or reading data: what the option specs cannot express (a key
   * template's placeholders, a rule's syntax, an option that needs
   * another). Of `args`, config_json,
   * pipeline, name, base_dir and the batch limits are set, host serves
   * set_error and log, the rest is empty. Returns FERRY_OK, or
   * FERRY_ERROR_CONFIG with the reason through host->set_error. The host
   * calls it for every stage from `ferry validate` and before a run opens
   * any instance; any thread, concurrently. */
  FerryStatus (*check_config)(uint32_t kind, const FerryOpenArgs* args);
} FerryPluginApi;

#endif /* FERRY_ABI_KINDS_H_ */
