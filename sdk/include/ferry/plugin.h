/*
 * Ferry plugin ABI, version 1.
 *
 * This is the only header a Ferry plugin needs. It is plain C (C89 with
 * <stdint.h>/<stddef.h>), usable from C, C++ and any language that can export
 * C symbols.
 *
 * Conventions
 * ===========
 *
 * 1. Entry points. A plugin .so exports exactly two symbols and hides all
 *    others (-fvisibility=hidden):
 *      - `ferry_plugin_descriptor`, a constant FerryPluginDescriptor the host
 *        reads *before* running any plugin code (name, version, ABI version,
 *        kinds, options). A descriptor whose ABI major version the host does
 *        not speak is refused at this point.
 *      - `ferry_plugin_init`, which fills a FerryPluginApi with tables of
 *        function pointers. The host offers the newest ABI version it speaks;
 *        a plugin that does not know that version returns
 *        FERRY_NOT_IMPLEMENTED and the host offers the next older one.
 *
 * 2. Strings and bytes are pointer + length (FerryBytes) and are NOT
 *    NUL-terminated unless stated. The only NUL-terminated strings are the
 *    static literals in the descriptor.
 *
 * 3. Ownership: whoever allocates frees. Memory a plugin hands to the host
 *    (a batch, an error message, a checkpoint it holds) stays owned by the
 *    plugin: a batch until the host calls its `release`, anything else until
 *    the next call on the same instance. Memory the host hands to a plugin
 *    (config text, input batches, checkpoints, events) is valid only for the
 *    duration of the call; copy what you keep. Nothing handed over may be
 *    modified by the receiver: batches are immutable once produced.
 *
 * 4. Threading: an instance is created, used and destroyed by one thread at a
 *    time; the host never calls two functions of one instance concurrently.
 *    Different instances may be called from different threads at once, so
 *    plugin globals must be thread-safe. Host services may be called from the
 *    thread that is inside a call of the instance they were given to;
 *    `is_cancelled` may be called from any thread.
 *
 * 5. Errors: every call returns a FerryStatus. Before returning anything but
 *    FERRY_OK / FERRY_END_OF_STREAM, a plugin may call the host's `set_error`
 *    with a human-readable message (which the host copies) and, for
 *    FERRY_RETRY, `set_retry_after` with a backoff hint. The plugin
 *    classifies; the host owns retries, backoff, bisection and the DLQ.
 *    Status codes the host does not know are treated as FERRY_ERROR_INTERNAL.
 *    No exception, longjmp or C++ type ever crosses this boundary.
 *
 * 6. Growth: every struct that may grow starts with `struct_size` and only
 *    ever grows by appending fields. The side that reads a struct checks
 *    `struct_size` before touching a field added in a later minor version;
 *    the side that fills one (ferry_plugin_init) writes no further than the
 *    version it accepted defines.
 *    Layouts of released versions are frozen: Ferry's tests assert them.
 */
#ifndef FERRY_PLUGIN_H_
#define FERRY_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>
#include <stdio.h> /* sprintf, for ferry_value_text */

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Versions and export                                                      */
/* ------------------------------------------------------------------------ */

#define FERRY_ABI_VERSION(major, minor) \
  ((((uint32_t)(major)) << 16) | ((uint32_t)(minor)))
#define FERRY_ABI_MAJOR(v) ((uint32_t)(v) >> 16)
#define FERRY_ABI_MINOR(v) ((uint32_t)(v)&0xFFFFu)

/* 1.0: the first release. */
#define FERRY_ABI_VERSION_1_0 FERRY_ABI_VERSION(1, 0)
/* 1.1: FerrySourceApi.estimate (partition size estimates for progress and
 * planning). */
#define FERRY_ABI_VERSION_1_1 FERRY_ABI_VERSION(1, 1)
/* 1.2: the orchestrator kind (FerryOrchestratorApi, appended to
 * FerryPluginApi as `orchestrator`). */
#define FERRY_ABI_VERSION_1_2 FERRY_ABI_VERSION(1, 2)
/* 1.3: FerryPluginApi.check_config (a plugin checks its configuration
 * without connecting anywhere: `ferry validate`, and before a run). */
#define FERRY_ABI_VERSION_1_3 FERRY_ABI_VERSION(1, 3)
/* 1.4: FerryOpenArgs.options (the declared options' values, typed, so a
 * plugin need not parse config_json) and the C helpers at the end of this
 * header. */
#define FERRY_ABI_VERSION_1_4 FERRY_ABI_VERSION(1, 4)

/* The version this header describes. */
#define FERRY_ABI_VERSION_CURRENT FERRY_ABI_VERSION_1_4

#if defined(_WIN32)
#define FERRY_EXPORT __declspec(dllexport)
#else
#define FERRY_EXPORT __attribute__((visibility("default")))
#endif

/* ------------------------------------------------------------------------ */
/* Status codes                                                             */
/* ------------------------------------------------------------------------ */

typedef int32_t FerryStatus;

/* Success. */
#define FERRY_OK ((FerryStatus)0)
/* Source: no more data in this partition. */
#define FERRY_END_OF_STREAM ((FerryStatus)1)
/* Recoverable: try the same call again later (connection lost, 429, lock
 * timeout). A backoff hint may be given with host->set_retry_after. */
#define FERRY_RETRY ((FerryStatus)2)
/* This record or batch is bad and will stay bad: it goes to the dead-letter
 * queue. A sink that returns it for a whole batch lets the host bisect. */
#define FERRY_INVALID_DATA ((FerryStatus)3)
/* The requested ABI version or optional function is not supported. */
#define FERRY_NOT_IMPLEMENTED ((FerryStatus)4)
/* Hooks: stop the pipeline cleanly after the current batch. */
#define FERRY_STOP ((FerryStatus)5)
/* Fatal kinds: the operation ends. */
#define FERRY_ERROR_CONFIG ((FerryStatus)10)   /* bad option, missing table */
#define FERRY_ERROR_IO ((FerryStatus)11)       /* unrecoverable I/O */
#define FERRY_ERROR_AUTH ((FerryStatus)12)     /* permission denied, 403 */
#define FERRY_ERROR_INTERNAL ((FerryStatus)13) /* bug, out of memory */
#define FERRY_ERROR_CANCELLED ((FerryStatus)14) /* host asked to stop */

/* ------------------------------------------------------------------------ */
/* Basic types                                                              */
/* ------------------------------------------------------------------------ */

/* Bytes or UTF-8 text: pointer + length; `data` may be NULL when size is 0. */
typedef struct FerryBytes {
  const char* data;
  size_t size;
} FerryBytes;

/* Value types. A value is either FERRY_TYPE_NULL or of its field's type;
 * a field of type FERRY_TYPE_NULL holds only nulls. */
typedef int32_t FerryType;
#define FERRY_TYPE_NULL ((FerryType)0)
#define FERRY_TYPE_BOOL ((FerryType)1)
#define FERRY_TYPE_INT64 ((FerryType)2)
#define FERRY_TYPE_DOUBLE ((FerryType)3)
#define FERRY_TYPE_STRING ((FerryType)4)    /* UTF-8 text */
#define FERRY_TYPE_BYTES ((FerryType)5)     /* arbitrary bytes */
#define FERRY_TYPE_TIMESTAMP ((FerryType)6) /* microseconds since 1970 UTC */
#define FERRY_TYPE_JSON ((FerryType)7)      /* JSON text */
#define FERRY_TYPE_DECIMAL ((FerryType)8)   /* exact decimal as text, "-12.50" */

/* One value: 24 bytes, tagged. */
typedef struct FerryValue {
  FerryType type;
  uint32_t reserved; /* zero */
  union {
    int32_t boolean;  /* FERRY_TYPE_BOOL: 0 or 1 */
    int64_t i64;      /* FERRY_TYPE_INT64, FERRY_TYPE_TIMESTAMP */
    double f64;       /* FERRY_TYPE_DOUBLE */
    FerryBytes bytes; /* STRING, BYTES, JSON, DECIMAL */
  } as;
} FerryValue;

typedef struct FerryField {
  FerryBytes name;
  FerryType type;
  uint32_t flags; /* FERRY_FIELD_* */
} FerryField;

#define FERRY_FIELD_NULLABLE 1u
#define FERRY_FIELD_KEY 2u /* part of the record key */

typedef struct FerrySchema {
  size_t n_fields;
  const FerryField* fields;
} FerrySchema;

/* Operation a record carries: sinks map it to insert / upsert / delete. */
typedef int32_t FerryOp;
#define FERRY_OP_INSERT ((FerryOp)0)
#define FERRY_OP_UPDATE ((FerryOp)1)
#define FERRY_OP_DELETE ((FerryOp)2)

/* Per-record metadata. */
typedef struct FerryRecordMeta {
  FerryBytes key;      /* record key (upserts, document ids); may be empty */
  FerryBytes position; /* source position of this record (opaque) */
  FerryOp op;
  uint32_t reserved;
} FerryRecordMeta;

/* A batch of records, produced by a source or a transform.
 *
 * Layout: `values` holds n_rows * schema.n_fields values, row-major:
 * the value of field f in row r is values[r * schema.n_fields + f].
 *
 * Ownership: the producer owns every byte the batch points to and keeps it
 * valid and unchanged until `release(batch)` is called. The consumer calls
 * `release` exactly once, then must not touch the batch again; `release` may
 * be called from any thread, also after the producing instance was closed. A consumer
 * that needs to move a batch copies the struct and sets the source's
 * `release` to NULL (a released or moved-from batch has release == NULL). */
typedef struct FerryBatch {
  uint32_t struct_size;
  uint32_t reserved;
  FerrySchema schema;
  size_t n_rows;
  const FerryValue* values;
  const FerryRecordMeta* records; /* n_rows entries */
  FerryBytes partition;           /* the source partition of every row */
  /* Position that resumes the source right after the last row. */
  FerryBytes end_position;
  void (*release)(struct FerryBatch* batch);
  void* private_data;
} FerryBatch;

/* Outcome of one record of a batch handed to a sink write or transform.
 * The host passes an array of n_rows outcomes, all FERRY_OK; the plugin
 * sets `status` (FERRY_INVALID_DATA or FERRY_RETRY) and `message` for the
 * rows it did not accept. The message must stay valid until the next call on
 * the instance. */
typedef struct FerryRecordOutcome {
  FerryStatus status;
  uint32_t reserved;
  FerryBytes message;
} FerryRecordOutcome;

/* What the host commits after a batch. */
typedef struct FerryCheckpoint {
  uint32_t struct_size;
  uint32_t reserved;
  FerryBytes pipeline;
  FerryBytes partition;
  FerryBytes position; /* resume point: the end_position of the last batch */
  FerryBytes run_id;
} FerryCheckpoint;

/* A record the plugin could not turn into a row (a malformed input line) or
 * rejects outside a batch. The host stores it in the dead-letter queue. */
typedef struct FerryErrantRecord {
  uint32_t struct_size;
  FerryStatus error_class; /* usually FERRY_INVALID_DATA */
  FerryBytes partition;
  FerryBytes position;
  FerryBytes key;
  FerryBytes payload;   /* the raw record */
  FerryBytes message;   /* why, including where (file, line) */
} FerryErrantRecord;

/* ------------------------------------------------------------------------ */
/* Host services                                                            */
/* ------------------------------------------------------------------------ */

typedef int32_t FerryLogLevel;
#define FERRY_LOG_DEBUG ((FerryLogLevel)0)
#define FERRY_LOG_INFO ((FerryLogLevel)1)
#define FERRY_LOG_WARN ((FerryLogLevel)2)
#define FERRY_LOG_ERROR ((FerryLogLevel)3)

/* Passed to every instance at open; valid until the instance is closed.
 * Always call through it with its own `host_data`. Never log secrets. */
typedef struct FerryHost {
  uint32_t struct_size;
  uint32_t reserved;
  void* host_data;
  void (*log)(void* host_data, FerryLogLevel level, const char* msg,
              size_t len);
  /* Message for the non-OK status the current call is about to return. */
  void (*set_error)(void* host_data, const char* msg, size_t len);
  /* Backoff hint for a FERRY_RETRY about to be returned. */
  void (*set_retry_after)(void* host_data, uint64_t milliseconds);
  /* Send a record to the dead-letter queue. Returns FERRY_OK or a fatal
   * status (the state store failed), which the plugin should return. */
  FerryStatus (*report_errant_record)(void* host_data,
                                      const FerryErrantRecord* record);
  /* Non-zero once the host wants the current operation to end. */
  int32_t (*is_cancelled)(void* host_data);
  /* Add to a named counter (metrics); `name` is [a-z0-9_]. */
  void (*counter_add)(void* host_data, const char* name, size_t len,
                      int64_t delta);
} FerryHost;

/* --- 1.4 --- One declared option and its value, after the host checked the
 * configuration against the declared options and filled in defaults. */
typedef struct FerryOptionValue {
  FerryBytes name;
  int32_t type;    /* the declared FERRY_OPTION_* type */
  int32_t present; /* 0: not in the configuration and no default */
  union {
    int32_t boolean; /* FERRY_OPTION_BOOL: 0 or 1 */
    int64_t i64;     /* FERRY_OPTION_INT (a value beyond int64: read json) */
    double f64;      /* FERRY_OPTION_NUMBER */
    FerryBytes text; /* FERRY_OPTION_STRING: the string, escapes decoded */
  } as;
  FerryBytes json; /* the value as JSON text, for every type (arrays, objects) */
} FerryOptionValue;

/* Everything an instance is opened with. */
typedef struct FerryOpenArgs {
  uint32_t struct_size;
  uint32_t reserved;
  const FerryHost* host;
  FerryBytes config_json; /* this plugin's "config" object, JSON text */
  FerryBytes pipeline;    /* pipeline name */
  FerryBytes name;        /* sink / transform / hook name in the pipeline */
  FerryBytes run_id;
  FerryBytes base_dir;    /* resolve relative paths against this */
  uint64_t max_batch_records; /* >= 1 */
  uint64_t max_batch_bytes;   /* >= 1 */
  /* Backfill window, empty outside a backfill. Never use the clock instead. */
  FerryBytes data_date;
  FerryBytes window_start;
  FerryBytes window_end;
  /* --- 1.4 --- The kind's declared options in declaration order, each
   * with its value (see ferry_option). Read only when struct_size covers
   * them: a 1.3 host's arguments end at window_end. */
  const FerryOptionValue* options;
  size_t n_options;
} FerryOpenArgs;

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
 *     returns FERRY_OK the host treats the data as acknowledged.
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

/* ------------------------------------------------------------------------ */
/* Descriptor                                                               */
/* ------------------------------------------------------------------------ */

typedef uint32_t FerryKind;
#define FERRY_KIND_SOURCE 1u
#define FERRY_KIND_TRANSFORM 2u
#define FERRY_KIND_SINK 4u
#define FERRY_KIND_CHECKPOINT_HOOK 8u
#define FERRY_KIND_BACKLOG_HOOK 16u
#define FERRY_KIND_ORCHESTRATOR 32u /* 1.2 */

/* Capabilities of a kind. */
#define FERRY_CAP_TRANSACTIONAL 1u /* sink: data + checkpoint atomically */
#define FERRY_CAP_IDEMPOTENT 2u    /* sink: a replayed batch overwrites */

typedef int32_t FerryOptionType;
#define FERRY_OPTION_STRING ((FerryOptionType)1)
#define FERRY_OPTION_INT ((FerryOptionType)2)
#define FERRY_OPTION_NUMBER ((FerryOptionType)3)
#define FERRY_OPTION_BOOL ((FerryOptionType)4)
#define FERRY_OPTION_ARRAY ((FerryOptionType)5)
#define FERRY_OPTION_OBJECT ((FerryOptionType)6)
#define FERRY_OPTION_ANY ((FerryOptionType)7)

#define FERRY_OPTION_REQUIRED 1u
#define FERRY_OPTION_SECRET 2u /* never logged; shown as *** */

/* One configuration option. The host validates the pipeline against these
 * before loading any data: unknown keys, missing required options and wrong
 * types are reported with their JSON path. */
typedef struct FerryOptionSpec {
  const char* name;
  FerryOptionType type;
  uint32_t flags;           /* FERRY_OPTION_* */
  const char* default_json; /* JSON text of the default, or NULL */
  const char* description;
} FerryOptionSpec;

/* One entry per kind the plugin provides (`kind` is a single FERRY_KIND_*
 * value, not a mask). */
typedef struct FerryKindSpec {
  FerryKind kind;
  uint32_t capabilities; /* FERRY_CAP_* */
  const char* description;
  const FerryOptionSpec* options;
  size_t n_options;
} FerryKindSpec;

/* Exported as `ferry_plugin_descriptor`. Its first three fields are frozen
 * for every ABI major version, so any host can read and refuse it. */
typedef struct FerryPluginDescriptor {
  uint32_t struct_size;
  uint32_t abi_version; /* FERRY_ABI_VERSION_CURRENT when built */
  const char* name;     /* [a-z0-9_-]+ */
  const char* version;  /* the plugin's own version, e.g. "1.2.0" */
  const char* description;
  const FerryKindSpec* kinds;
  size_t n_kinds;
} FerryPluginDescriptor;

/* The entry point. `abi_version` is the version the host offers; return
 * FERRY_NOT_IMPLEMENTED if you do not speak it, so that the host can offer an
 * older one. On FERRY_OK, `api` is filled and api->abi_version set. */
typedef FerryStatus (*FerryPluginInitFn)(uint32_t abi_version,
                                         FerryPluginApi* api);

#define FERRY_PLUGIN_INIT_SYMBOL "ferry_plugin_init"
#define FERRY_PLUGIN_DESCRIPTOR_SYMBOL "ferry_plugin_descriptor"

/* Sizes of released layouts (LP64: 48, 56 and 64 bytes for 1.1, 1.2, 1.3). */
#define FERRY_SOURCE_API_SIZE_1_0 offsetof(FerrySourceApi, estimate)
#define FERRY_PLUGIN_API_SIZE_1_1 offsetof(FerryPluginApi, orchestrator)
#define FERRY_PLUGIN_API_SIZE_1_2 offsetof(FerryPluginApi, check_config)
#define FERRY_PLUGIN_API_SIZE_1_3 sizeof(FerryPluginApi)
/* 1.4 appended nothing to FerryPluginApi. The newest layout is
 * sizeof(FerryPluginApi): when a later version appends a field, SIZE_1_4
 * becomes its offsetof. */
#define FERRY_PLUGIN_API_SIZE_1_4 FERRY_PLUGIN_API_SIZE_1_3

/* The version a plugin built with this header accepts when the host offers
 * `offered` (of the same major version): the offer, or the newest version
 * this header knows when the host is newer. */
#define FERRY_ABI_ACCEPTED(offered) \
  ((offered) < FERRY_ABI_VERSION_CURRENT ? (offered) : FERRY_ABI_VERSION_CURRENT)

/* How much of FerryPluginApi version `v` defines. An older host's table is
 * shorter: a plugin that fills more writes into the host's memory. */
#define FERRY_PLUGIN_API_SIZE(v)                                     \
  ((v) >= FERRY_ABI_VERSION_1_4   ? FERRY_PLUGIN_API_SIZE_1_4        \
   : (v) >= FERRY_ABI_VERSION_1_3 ? FERRY_PLUGIN_API_SIZE_1_3        \
   : (v) >= FERRY_ABI_VERSION_1_2 ? FERRY_PLUGIN_API_SIZE_1_2        \
                                  : FERRY_PLUGIN_API_SIZE_1_1)

/* Whether `api` (as accepted) has room for `field`. */
#define FERRY_PLUGIN_API_HAS(api, field) \
  ((api)->struct_size >= offsetof(FerryPluginApi, field) + sizeof((api)->field))

#if defined(__GNUC__) || defined(__clang__)
#define FERRY_MAYBE_UNUSED __attribute__((unused))
#else
#define FERRY_MAYBE_UNUSED
#endif

/* The start of every ferry_plugin_init. Returns 0 when `offered` is another
 * major version (answer FERRY_NOT_IMPLEMENTED, and the host offers an older
 * one). Otherwise accepts FERRY_ABI_ACCEPTED(offered), clears exactly the
 * part of `api` that version defines, sets struct_size and abi_version, and
 * returns the accepted version. Then set the tables, and a field added in a
 * later minor version only when FERRY_PLUGIN_API_HAS says it is there:
 *
 *   if (!ferry_plugin_api_accept(abi_version, api)) return FERRY_NOT_IMPLEMENTED;
 *   api->sink = &kSink;
 *   if (FERRY_PLUGIN_API_HAS(api, check_config)) api->check_config = my_check;
 *   return FERRY_OK;
 */
static FERRY_MAYBE_UNUSED uint32_t ferry_plugin_api_accept(uint32_t offered, FerryPluginApi* api) {
  uint32_t version;
  size_t size, i;
  if (FERRY_ABI_MAJOR(offered) != FERRY_ABI_MAJOR(FERRY_ABI_VERSION_CURRENT)) return 0;
  version = FERRY_ABI_ACCEPTED(offered);
  size = FERRY_PLUGIN_API_SIZE(version);
  for (i = 0; i < size; ++i) ((unsigned char*)api)[i] = 0;
  api->struct_size = (uint32_t)size;
  api->abi_version = version;
  return version;
}

/* ------------------------------------------------------------------------ */
/* Helpers for plugins written in C                                         */
/* ------------------------------------------------------------------------ */

/* The option `name` (NUL-terminated) as the host handed it over, or NULL
 * when the host is older than 1.4 or the kind declares no such option.
 * Check `present` before reading a value without a default. */
static FERRY_MAYBE_UNUSED const FerryOptionValue* ferry_option(const FerryOpenArgs* args, const char* name) {
  size_t i, n;
  if (args->struct_size < offsetof(FerryOpenArgs, n_options) + sizeof(size_t)) return NULL;
  for (i = 0; i < args->n_options; ++i) {
    const FerryBytes* have = &args->options[i].name;
    for (n = 0; n < have->size && name[n] != 0 && name[n] == have->data[n]; ++n) {
    }
    if (n == have->size && name[n] == 0) return &args->options[i];
  }
  return NULL;
}

/* Reports `message` (NUL-terminated) through the host and returns `status`:
 *   return ferry_fail(host, FERRY_ERROR_IO, "cannot open the output file"); */
static FERRY_MAYBE_UNUSED FerryStatus ferry_fail(const FerryHost* host, FerryStatus status, const char* message) {
  size_t n = 0;
  while (message[n] != 0) ++n;
  host->set_error(host->host_data, message, n);
  return status;
}

/* FerrySinkApi.checkpoint for a sink that is not transactional: it holds
 * no checkpoint (the host keeps it). */
static FERRY_MAYBE_UNUSED FerryStatus ferry_no_checkpoint(FerryInstance self, FerryBytes partition,
                                                          FerryBytes* position, int32_t* found) {
  (void)self;
  (void)partition;
  position->data = NULL;
  position->size = 0;
  *found = 0;
  return FERRY_OK;
}

/* A value as text: NULL as "\\N", booleans as true/false, numbers in
 * decimal (a double with 17 significant digits, which reads back as the
 * same double; timestamps as microseconds), text types as they are. `buf`
 * holds a number's digits; the result may point into it or into the value. */
typedef struct FerryValueText {
  char buf[32];
} FerryValueText;
static FERRY_MAYBE_UNUSED FerryBytes ferry_value_text(const FerryValue* v, FerryValueText* scratch) {
  FerryBytes out;
  char digits[24];
  uint64_t magnitude;
  size_t n = 0, i;
  out.data = scratch->buf;
  out.size = 0;
  switch (v->type) {
    case FERRY_TYPE_NULL:
      out.data = "\\N";
      out.size = 2;
      return out;
    case FERRY_TYPE_BOOL:
      out.data = v->as.boolean ? "true" : "false";
      out.size = v->as.boolean ? 4 : 5;
      return out;
    case FERRY_TYPE_INT64:
    case FERRY_TYPE_TIMESTAMP:
      /* Digits by hand: C89 has no snprintf, and "%lld" is not C89. */
      magnitude = v->as.i64 < 0 ? (uint64_t)0 - (uint64_t)v->as.i64 : (uint64_t)v->as.i64;
      do {
        digits[n++] = (char)('0' + (int)(magnitude % 10u));
        magnitude /= 10u;
      } while (magnitude != 0);
      if (v->as.i64 < 0) scratch->buf[out.size++] = '-';
      for (i = 0; i < n; ++i) scratch->buf[out.size++] = digits[n - 1 - i];
      return out;
    case FERRY_TYPE_DOUBLE:
      out.size = (size_t)sprintf(scratch->buf, "%.17g", v->as.f64);
      return out;
    default:
      return v->as.bytes;
  }
}

/* The descriptor and entry point of a plugin that provides one kind, in C:
 *   FERRY_C_PLUGIN("tsv", "1.0.0", "Appends rows as tab-separated text.",
 *                  FERRY_KIND_SINK, 0, kOptions, sink, kSink)
 * `options` is a static array of FerryOptionSpec (its size is taken with
 * sizeof), `table_field` the FerryPluginApi field (source, transform, sink,
 * checkpoint_hook, backlog_hook) that gets `&table`. No semicolon after it. */
#define FERRY_C_PLUGIN(name, version, description, kind, capabilities, options, table_field, table)         \
  static const FerryKindSpec ferry_c_kinds_[] = {                                                             \
      {kind, capabilities, description, options, sizeof(options) / sizeof((options)[0])}};                     \
  FERRY_EXPORT const FerryPluginDescriptor ferry_plugin_descriptor = {                                         \
      sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, name, version, description, ferry_c_kinds_, 1}; \
  FERRY_EXPORT FerryStatus ferry_plugin_init(uint32_t abi_version, FerryPluginApi* api) {                    \
    if (!ferry_plugin_api_accept(abi_version, api)) return FERRY_NOT_IMPLEMENTED;                              \
    api->table_field = &(table);                                                                               \
    return FERRY_OK;                                                                                           \
  }

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FERRY_PLUGIN_H_ */
