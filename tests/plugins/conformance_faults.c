/* A source and a transactional sink that keep the ABI's contract, built
 * once as is ("conformance_good") and once per fault below, each of which
 * `ferry plugin check` must catch:
 *   FAULT_EXPORT    exports a third symbol
 *   FAULT_NAME      calls itself "Bad Name"
 *   FAULT_OVERRUN   fills the newest FerryPluginApi whatever it is offered
 *   FAULT_DEFAULT   declares a default that is not JSON
 *   FAULT_REFUSE    check_config refuses a configuration the options accept
 *   FAULT_OUTCOME   refuses a row without a message
 *   FAULT_SILENT    abort fails without a message
 *   FAULT_FORGET    commit does not keep the checkpoint
 *   FAULT_RESUME    resumes one row early (repeats a row)
 *   FAULT_RELEASE   release() leaves the batch's release callback set
 *   FAULT_ABORT     abort keeps the staged rows, so they commit later
 *   FAULT_STALE     write says something while succeeding; abort then
 *                   fails without a message (an old message must not count)
 *   FAULT_FENCE     declares FERRY_CAP_FENCED, but commits whatever token
 *                   a commit carries
 * With option "out", the sink appends each committed row's id to that file
 * (one per line), which a --count-rows command can count.
 * The committed checkpoint lives in the process (a static), which is as
 * durable as the checks need. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#define ROWS 10

static FerryStatus say(const FerryHost* host, FerryStatus status, const char* msg) {
  host->set_error(host->host_data, msg, strlen(msg));
  return status;
}

/* --- source: ids 1..ROWS in one partition, position = last id ---------- */

typedef struct {
  const FerryHost* host;
  uint64_t batch_rows;
  long next_id;
} Source;

typedef struct {
  FerryField fields[1];
  FerryValue values[ROWS];
  FerryRecordMeta records[ROWS];
  char positions[ROWS][24];
  char end[24];
} BatchData;

static const char kPart[] = "p";
static const FerryBytes kPartitions[] = {{kPart, 1}};

static FerryStatus src_open(const FerryOpenArgs* a, FerryInstance* out) {
  Source* s = (Source*)calloc(1, sizeof *s);
  if (!s) return say(a->host, FERRY_ERROR_INTERNAL, "out of memory");
  s->host = a->host;
  s->batch_rows = a->max_batch_records < 4 ? a->max_batch_records : 4;
  *out = s;
  return FERRY_OK;
}
static FerryStatus src_partitions(FerryInstance self, const FerryBytes** names, size_t* count) {
  (void)self;
  *names = kPartitions;
  *count = 1;
  return FERRY_OK;
}
static FerryStatus src_start(FerryInstance self, FerryBytes partition, const FerryBytes* position) {
  Source* s = (Source*)self;
  char buf[16] = {0};
  (void)partition;
  s->next_id = 1;
  if (position && position->size > 0 && position->size < sizeof buf) {
    memcpy(buf, position->data, position->size);
    s->next_id = atol(buf) + 1;
#ifdef FAULT_RESUME
    s->next_id -= 1;
#endif
  }
  return FERRY_OK;
}
static void src_release(FerryBatch* b) {
  free(b->private_data);
#ifndef FAULT_RELEASE
  b->release = NULL;
#endif
}
static FerryStatus src_next(FerryInstance self, FerryBatch* out) {
  Source* s = (Source*)self;
  BatchData* d;
  size_t n = 0;
  if (s->next_id > ROWS) return FERRY_END_OF_STREAM;
  d = (BatchData*)calloc(1, sizeof *d);
  if (!d) return say(s->host, FERRY_ERROR_INTERNAL, "out of memory");
  d->fields[0].name.data = "id";
  d->fields[0].name.size = 2;
  d->fields[0].type = FERRY_TYPE_INT64;
  d->fields[0].flags = FERRY_FIELD_KEY;
  while (n < s->batch_rows && s->next_id <= ROWS) {
    d->values[n].type = FERRY_TYPE_INT64;
    d->values[n].as.i64 = s->next_id;
    snprintf(d->positions[n], sizeof d->positions[n], "%ld", s->next_id);
    d->records[n].position.data = d->positions[n];
    d->records[n].position.size = strlen(d->positions[n]);
    d->records[n].key = d->records[n].position;
    ++n;
    ++s->next_id;
  }
  memcpy(d->end, d->positions[n - 1], sizeof d->end);
  memset(out, 0, sizeof *out);
  out->struct_size = sizeof *out;
  out->schema.n_fields = 1;
  out->schema.fields = d->fields;
  out->n_rows = n;
  out->values = d->values;
  out->records = d->records;
  out->partition = kPartitions[0];
  out->end_position.data = d->end;
  out->end_position.size = strlen(d->end);
  out->release = src_release;
  out->private_data = d;
  return FERRY_OK;
}
static void src_close(FerryInstance self) { free(self); }

/* --- sink: transactional, keeps the last committed position ------------- */

typedef struct {
  const FerryHost* host;
  char out[512];           /* "": keep no rows */
  char staged[4096];       /* ids, one per line */
  size_t staged_len;
} Sink;

static char g_committed[64];
static int g_has_committed;
static uint64_t g_fence; /* the largest token fence() was given */

static FerryStatus sink_open(const FerryOpenArgs* a, FerryInstance* out) {
  Sink* s = (Sink*)calloc(1, sizeof *s);
  const FerryOptionValue* file = ferry_option(a, "out");
  if (!s) return say(a->host, FERRY_ERROR_INTERNAL, "out of memory");
  s->host = a->host;
  if (file && file->present && file->as.text.size < sizeof s->out)
    memcpy(s->out, file->as.text.data, file->as.text.size);
  *out = s;
  return FERRY_OK;
}
static FerryStatus sink_write(FerryInstance self, const FerryBatch* b, FerryRecordOutcome* outcomes) {
  Sink* s = (Sink*)self;
  size_t r;
  for (r = 0; r < b->n_rows && s->staged_len + 24 < sizeof s->staged; ++r)
    s->staged_len += (size_t)snprintf(s->staged + s->staged_len, 24, "%lld\n",
                                      (long long)b->values[r * b->schema.n_fields].as.i64);
#ifdef FAULT_STALE
  say(s->host, FERRY_OK, "a note while succeeding");
#endif
#ifdef FAULT_OUTCOME
  outcomes[0].status = FERRY_INVALID_DATA;
#else
  (void)outcomes;
#endif
  return FERRY_OK;
}
static FerryStatus sink_commit(FerryInstance self, const FerryCheckpoint* c) {
  Sink* s = (Sink*)self;
#ifndef FAULT_FENCE
  if (c && c->struct_size >= offsetof(FerryCheckpoint, fence_token) + sizeof c->fence_token &&
      c->fence_token != 0 && c->fence_token < g_fence) {
    s->staged_len = 0;
    return say(s->host, FERRY_FENCED, "fenced with a newer token: another worker owns the partition");
  }
#endif
  if (s->out[0]) {
    FILE* f = fopen(s->out, "a");
    if (!f) return say(s->host, FERRY_ERROR_IO, "cannot open the out file");
    fwrite(s->staged, 1, s->staged_len, f);
    fclose(f);
  }
  s->staged_len = 0;
#ifndef FAULT_FORGET
  if (c->position.size < sizeof g_committed) {
    memcpy(g_committed, c->position.data, c->position.size);
    g_committed[c->position.size] = 0;
    g_has_committed = 1;
  }
#else
  (void)c;
#endif
  return FERRY_OK;
}
static FerryStatus sink_abort(FerryInstance self) {
#if defined(FAULT_SILENT) || defined(FAULT_STALE)
  (void)self;
  return FERRY_ERROR_IO;
#elif defined(FAULT_ABORT)
  (void)self; /* the staged rows stay, and the next commit writes them */
  return FERRY_OK;
#else
  ((Sink*)self)->staged_len = 0;
  return FERRY_OK;
#endif
}
static FerryStatus sink_checkpoint(FerryInstance self, FerryBytes partition, FerryBytes* position,
                                   int32_t* found) {
  (void)self;
  (void)partition;
  position->data = g_committed;
  position->size = g_has_committed ? strlen(g_committed) : 0;
  *found = g_has_committed;
  return FERRY_OK;
}
static FerryStatus sink_fence(FerryInstance self, FerryBytes partition, uint64_t token) {
  (void)partition;
  if (token < g_fence) return say(((Sink*)self)->host, FERRY_FENCED, "fenced with a newer token already");
  g_fence = token;
  return FERRY_OK;
}
static void sink_close(FerryInstance self) { free(self); }

static FerryStatus check_config(uint32_t kind, const FerryOpenArgs* args) {
  (void)kind;
#ifdef FAULT_REFUSE
  return say(args->host, FERRY_ERROR_CONFIG, "refused, although the declared options accept it");
#else
  (void)args;
  return FERRY_OK;
#endif
}

static const FerrySourceApi kSource = {sizeof(FerrySourceApi), 0, src_open, src_partitions, src_start,
                                       src_next, src_close, NULL, NULL, NULL, NULL};
static const FerrySinkApi kSink = {sizeof(FerrySinkApi), 0, sink_open, sink_write, sink_commit,
                                   sink_abort, sink_checkpoint, sink_close, sink_fence, NULL};
#ifdef FAULT_DEFAULT
#define LABEL_DEFAULT "not json"
#else
#define LABEL_DEFAULT "\"x\""
#endif
static const FerryOptionSpec kOptions[] = {
    {"label", FERRY_OPTION_STRING, 0, LABEL_DEFAULT, "a label, unused"},
    {"out", FERRY_OPTION_STRING, 0, "\"\"", "the sink appends committed ids here (the source ignores it)"}};
static const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SOURCE, 0, "ten rows", kOptions, 2},
    {FERRY_KIND_SINK, FERRY_CAP_TRANSACTIONAL | FERRY_CAP_FENCED, "keeps the checkpoint", kOptions, 2}};

#ifdef FAULT_NAME
#define PLUGIN_NAME "Bad Name"
#else
#define PLUGIN_NAME PLUGIN_ID
#endif

FERRY_EXPORT const FerryPluginDescriptor ferry_plugin_descriptor = {
    sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, PLUGIN_NAME, "1.0.0",
    "conformance fixture", kKinds, 2};

#ifdef FAULT_EXPORT
FERRY_EXPORT int conformance_helper(void);
FERRY_EXPORT int conformance_helper(void) { return 1; }
#endif

FERRY_EXPORT FerryStatus ferry_plugin_init(uint32_t abi_version, FerryPluginApi* api) {
#ifdef FAULT_OVERRUN
  if (FERRY_ABI_MAJOR(abi_version) != 1) return FERRY_NOT_IMPLEMENTED;
  memset(api, 0, sizeof *api);
  api->struct_size = sizeof *api;
  api->abi_version = abi_version < FERRY_ABI_VERSION_CURRENT ? abi_version : FERRY_ABI_VERSION_CURRENT;
#else
  if (!ferry_plugin_api_accept(abi_version, api)) return FERRY_NOT_IMPLEMENTED;
#endif
  api->source = &kSource;
  api->sink = &kSink;
  if (FERRY_PLUGIN_API_HAS(api, check_config)) api->check_config = check_config;
  return FERRY_OK;
}
