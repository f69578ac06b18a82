/*
 * Ferry plugin ABI, version 1.
 *
 * This is the only header a Ferry plugin needs (it includes its parts, the
 * headers in ferry/abi/, itself). It is plain C (C89 with <stdint.h>/<stddef.h>),
 * usable from C, C++ and any language that can export C symbols.
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
 *    version it accepted defines. A struct the host hands a plugin to fill
 *    (a batch, a plan) comes with `struct_size` set to the host's layout:
 *    write no further, and set it to what you wrote.
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
/* 1.5: FerrySourceApi.describe and start_described (partitions planned
 * once, each with a descriptor the host stores and hands back). */
#define FERRY_ABI_VERSION_1_5 FERRY_ABI_VERSION(1, 5)
/* 1.6: fencing for workers that share a pipeline: FerryCheckpoint.fence_token,
 * FerrySinkApi.fence, FERRY_CAP_FENCED and FERRY_FENCED. */
#define FERRY_ABI_VERSION_1_6 FERRY_ABI_VERSION(1, 6)
/* 1.7: FERRY_CAP_SINGLE_WRITER (a sink that takes one writer at a time; the
 * host funnels every worker's batches through one instance). */
#define FERRY_ABI_VERSION_1_7 FERRY_ABI_VERSION(1, 7)
/* 1.8: FerrySourceApi.acknowledged (the host tells a source which position
 * every sink committed, so its upstream may release what precedes it). */
#define FERRY_ABI_VERSION_1_8 FERRY_ABI_VERSION(1, 8)
/* 1.9: FerryHost.gauge_set (a plugin reports a level, such as how far its
 * upstream is ahead, as a metric). */
#define FERRY_ABI_VERSION_1_9 FERRY_ABI_VERSION(1, 9)
/* 1.10: deferred commits (FERRY_CAP_DEFERRED_COMMIT, FERRY_PENDING,
 * FerryCheckpoint.flags, FerrySinkApi.await_commit): a sink may answer a
 * commit before it is durable, so that sending one batch overlaps encoding
 * the next, and report each outcome later, in order. */
#define FERRY_ABI_VERSION_1_10 FERRY_ABI_VERSION(1, 10)

/* 1.11: FERRY_CAP_NAMED_BY_BATCH (a sink whose output is named after the
 * batch: the host delivers a batch in doubt again cut as before). */
#define FERRY_ABI_VERSION_1_11 FERRY_ABI_VERSION(1, 11)

/* 1.12: FERRY_OPTION_DESTINATION, FERRY_OPTION_PATH and
 * FERRY_OPTION_CHECKPOINTS (option flags that let the host refuse two sinks
 * writing to one place or sharing checkpoint rows, or a sink writing into
 * the state store's file). */
#define FERRY_ABI_VERSION_1_12 FERRY_ABI_VERSION(1, 12)

/* The version this header describes. */
#define FERRY_ABI_VERSION_CURRENT FERRY_ABI_VERSION_1_12

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
/* Sink (1.6): the commit carried a fencing token older than one the sink
 * was fenced with: another worker owns the partition now. Nothing of the
 * batch was committed, and it must not be; the host stops the partition. */
#define FERRY_FENCED ((FerryStatus)6)
/* Sink commit (1.10), only when the checkpoint's flags carry
 * FERRY_COMMIT_MAY_DEFER: the batch is on its way but not durable yet; the
 * host learns its outcome from await_commit. */
#define FERRY_PENDING ((FerryStatus)7)
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
  /* 1.6; read it only when struct_size covers it. The lease's fencing token
   * of the worker committing, 0 when the run holds no lease. A sink with
   * FERRY_CAP_FENCED stores it with the checkpoint, in the transaction, and
   * answers FERRY_FENCED when it was fenced with a larger one. */
  uint64_t fence_token;
  /* 1.10; read it only when struct_size covers it. FERRY_COMMIT_MAY_DEFER:
   * a sink with FERRY_CAP_DEFERRED_COMMIT may answer this commit
   * FERRY_PENDING. Without it the commit is finished when it returns. */
  uint32_t flags;
  uint32_t reserved_1_10;
} FerryCheckpoint;

#define FERRY_COMMIT_MAY_DEFER 1u

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
  /* 1.9; call only when struct_size covers it. Set a named gauge (metrics)
   * to `value`, a finite number; `name` is [a-z0-9_]. */
  void (*gauge_set)(void* host_data, const char* name, size_t len,
                    double value);
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

/* The rest of the ABI, in parts (each is included from here only). */
#define FERRY_PLUGIN_H_INSIDE
#include <ferry/abi/kinds.h>
#include <ferry/abi/descriptor.h>
#include <ferry/abi/c_helpers.h>
#undef FERRY_PLUGIN_H_INSIDE

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FERRY_PLUGIN_H_ */
