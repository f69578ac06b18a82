/*
 * Part of <ferry/plugin.h>: the descriptor a plugin exports (its kinds and their
 * options), the table ferry_plugin_init fills, and how a plugin accepts the
 * ABI version the host offers.
 * Include <ferry/plugin.h>, which includes every part in order.
 */
#ifndef FERRY_ABI_DESCRIPTOR_H_
#define FERRY_ABI_DESCRIPTOR_H_

#ifndef FERRY_PLUGIN_H_INSIDE
#error "include <ferry/plugin.h>, not its parts"
#endif /* the parts are C, inside plugin.h's extern "C" */

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
#define FERRY_CAP_FENCED 4u        /* sink (1.6): fence() and fence_token in commit */
/* sink (1.7): takes one writer at a time (an embedded database file). The
 * host opens one instance per run and hands it one batch at a time, from
 * the first write to its commit or abort, whatever the parallelism; a run
 * with such a sink holds its pipeline alone instead of sharing it with other
 * processes. A host before 1.7 ignores the flag: a plugin that cannot take
 * two instances at once must then refuse the second itself. */
#define FERRY_CAP_SINGLE_WRITER 8u
/* sink (1.10), with FERRY_CAP_IDEMPOTENT: answers a commit FERRY_PENDING when
 * the host allows it, and fills await_commit. A pending commit the host never
 * awaited (the process died, the run failed) may still land: that is why the
 * sink must be idempotent. */
#define FERRY_CAP_DEFERRED_COMMIT 16u
/* sink (1.11), with FERRY_CAP_IDEMPOTENT: names what it writes after the
 * batch (an object or file per batch, named by its positions), so a batch
 * delivered again overwrites its own output only when it is cut as before.
 * The host then records each batch's cut before the sink commits it, and
 * after a crash cuts the batches in doubt the same way, whatever the source
 * returns now (its input grew, max_records changed). */
#define FERRY_CAP_NAMED_BY_BATCH 32u

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
/* (1.12) A sink option that names, alone or with the sink's other options
 * so flagged, where the sink writes (a file, a directory and prefix, a
 * table, a bucket and prefix). The host refuses a pipeline in which two
 * sinks of one plugin have equal values for all of them, defaults
 * included: with the same records, each would duplicate or overwrite the
 * other's output. Values are compared as written less a trailing '/',
 * paths (FERRY_OPTION_PATH) by the file they name; an option without a
 * declared default counts as unset. A host before 1.12 ignores the flag. */
#define FERRY_OPTION_DESTINATION 4u
/* (1.12) A string option holding a local file or directory path, relative
 * to the pipeline file's directory (FerryInitContext.base_dir). The host
 * compares it by the file it names, and refuses a sink whose destination
 * path is the state store's database file. */
#define FERRY_OPTION_PATH 8u
/* (1.12) A transactional sink's option that names, with its other options
 * so flagged, where it keeps its checkpoints (a server, a database and a
 * checkpoint table). Two sinks of one plugin with equal values for all of
 * them would share checkpoint rows: a batch one committed would count as
 * committed by the other. The host refuses such a pipeline. */
#define FERRY_OPTION_CHECKPOINTS 16u

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
#define FERRY_SOURCE_API_SIZE_1_4 offsetof(FerrySourceApi, describe)
#define FERRY_SOURCE_API_SIZE_1_7 offsetof(FerrySourceApi, acknowledged)
#define FERRY_SINK_API_SIZE_1_5 offsetof(FerrySinkApi, fence)
#define FERRY_SINK_API_SIZE_1_9 offsetof(FerrySinkApi, await_commit)
#define FERRY_CHECKPOINT_SIZE_1_5 offsetof(FerryCheckpoint, fence_token)
#define FERRY_CHECKPOINT_SIZE_1_9 offsetof(FerryCheckpoint, flags)
#define FERRY_PLUGIN_API_SIZE_1_1 offsetof(FerryPluginApi, orchestrator)
#define FERRY_PLUGIN_API_SIZE_1_2 offsetof(FerryPluginApi, check_config)
#define FERRY_PLUGIN_API_SIZE_1_3 sizeof(FerryPluginApi)
/* 1.4 to 1.12 appended nothing to FerryPluginApi. The newest layout is
 * sizeof(FerryPluginApi): when a later version appends a field, SIZE_1_12
 * becomes its offsetof. */
#define FERRY_PLUGIN_API_SIZE_1_4 FERRY_PLUGIN_API_SIZE_1_3
#define FERRY_PLUGIN_API_SIZE_1_5 FERRY_PLUGIN_API_SIZE_1_4
#define FERRY_PLUGIN_API_SIZE_1_6 FERRY_PLUGIN_API_SIZE_1_5
#define FERRY_PLUGIN_API_SIZE_1_7 FERRY_PLUGIN_API_SIZE_1_6
#define FERRY_PLUGIN_API_SIZE_1_8 FERRY_PLUGIN_API_SIZE_1_7
#define FERRY_PLUGIN_API_SIZE_1_9 FERRY_PLUGIN_API_SIZE_1_8
#define FERRY_PLUGIN_API_SIZE_1_10 FERRY_PLUGIN_API_SIZE_1_9
#define FERRY_PLUGIN_API_SIZE_1_11 FERRY_PLUGIN_API_SIZE_1_10
#define FERRY_PLUGIN_API_SIZE_1_12 FERRY_PLUGIN_API_SIZE_1_11

/* The version a plugin built with this header accepts when the host offers
 * `offered` (of the same major version): the offer, or the newest version
 * this header knows when the host is newer. */
#define FERRY_ABI_ACCEPTED(offered) \
  ((offered) < FERRY_ABI_VERSION_CURRENT ? (offered) : FERRY_ABI_VERSION_CURRENT)

/* How much of FerryPluginApi version `v` defines. An older host's table is
 * shorter: a plugin that fills more writes into the host's memory. */
#define FERRY_PLUGIN_API_SIZE(v)                                     \
  ((v) >= FERRY_ABI_VERSION_1_12  ? FERRY_PLUGIN_API_SIZE_1_12       \
   : (v) >= FERRY_ABI_VERSION_1_11 ? FERRY_PLUGIN_API_SIZE_1_11      \
   : (v) >= FERRY_ABI_VERSION_1_10 ? FERRY_PLUGIN_API_SIZE_1_10      \
   : (v) >= FERRY_ABI_VERSION_1_9 ? FERRY_PLUGIN_API_SIZE_1_9        \
   : (v) >= FERRY_ABI_VERSION_1_8 ? FERRY_PLUGIN_API_SIZE_1_8        \
   : (v) >= FERRY_ABI_VERSION_1_7 ? FERRY_PLUGIN_API_SIZE_1_7        \
   : (v) >= FERRY_ABI_VERSION_1_6 ? FERRY_PLUGIN_API_SIZE_1_6        \
   : (v) >= FERRY_ABI_VERSION_1_5 ? FERRY_PLUGIN_API_SIZE_1_5        \
   : (v) >= FERRY_ABI_VERSION_1_4 ? FERRY_PLUGIN_API_SIZE_1_4        \
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

#endif /* FERRY_ABI_DESCRIPTOR_H_ */
