/* A source built against ABI 1.0 only: its source table ends before the 1.1
 * `estimate` slot, and it refuses any offer but 1.0 (so the host must walk
 * down). It emits `count` rows (default 5) of one int64 field "n". */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include <ferry/plugin.h>

typedef struct {
  const FerryHost* host;
  long long next;
  long long count;
  FerryBytes partition;
} State;

typedef struct {
  FerryField field;
  FerryValue values[64];
  FerryRecordMeta records[64];
  char positions[64][24];
  char end[24];
} OwnedBatch;

static FerryStatus src_open(const FerryOpenArgs* args, FerryInstance* out) {
  State* s = (State*)calloc(1, sizeof(State));
  const char* c;
  if (!s) return FERRY_ERROR_INTERNAL;
  s->host = args->host;
  s->count = 5;
  /* The host hands defaults in; a real plugin would use a JSON parser. */
  c = args->config_json.data ? strstr(args->config_json.data, "\"count\":") : NULL;
  if (c && (size_t)(c - args->config_json.data) < args->config_json.size) s->count = atoll(c + 8);
  if (s->count > 64) s->count = 64;
  s->partition.data = "only";
  s->partition.size = 4;
  *out = s;
  return FERRY_OK;
}

static FerryStatus src_partitions(FerryInstance self, const FerryBytes** names, size_t* count) {
  State* s = (State*)self;
  *names = &s->partition;
  *count = 1;
  return FERRY_OK;
}

static FerryStatus src_start(FerryInstance self, FerryBytes partition, const FerryBytes* position) {
  State* s = (State*)self;
  char buf[24];
  (void)partition;
  s->next = 0;
  if (position && position->size > 0 && position->size < sizeof buf) {
    memcpy(buf, position->data, position->size);
    buf[position->size] = 0;
    s->next = atoll(buf);
  }
  return FERRY_OK;
}

static void release_batch(FerryBatch* b) {
  free(b->private_data);
  b->release = NULL;
  b->private_data = NULL;
}

static FerryStatus src_next(FerryInstance self, FerryBatch* out) {
  State* s = (State*)self;
  OwnedBatch* ob;
  size_t i;
  if (s->next >= s->count) return FERRY_END_OF_STREAM;
  ob = (OwnedBatch*)calloc(1, sizeof(OwnedBatch));
  if (!ob) return FERRY_ERROR_INTERNAL;
  ob->field.name.data = "n";
  ob->field.name.size = 1;
  ob->field.type = FERRY_TYPE_INT64;
  for (i = 0; s->next < s->count; ++i) {
    s->next++;
    ob->values[i].type = FERRY_TYPE_INT64;
    ob->values[i].as.i64 = s->next;
    sprintf(ob->positions[i], "%lld", s->next);
    ob->records[i].position.data = ob->positions[i];
    ob->records[i].position.size = strlen(ob->positions[i]);
    ob->records[i].key = ob->records[i].position;
  }
  sprintf(ob->end, "%lld", s->next);
  memset(out, 0, sizeof *out);
  out->struct_size = sizeof *out;
  out->schema.n_fields = 1;
  out->schema.fields = &ob->field;
  out->n_rows = i;
  out->values = ob->values;
  out->records = ob->records;
  out->partition = s->partition;
  out->end_position.data = ob->end;
  out->end_position.size = strlen(ob->end);
  out->release = release_batch;
  out->private_data = ob;
  return FERRY_OK;
}

static void src_close(FerryInstance self) { free(self); }

static const FerrySourceApi kSource = {
    (uint32_t)FERRY_SOURCE_API_SIZE_1_0, 0, src_open, src_partitions, src_start, src_next, src_close,
    NULL, NULL, NULL, NULL};

static const FerryOptionSpec kOptions[] = {
    {"count", FERRY_OPTION_INT, 0, "5", "rows to emit (at most 64)"}};
static const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SOURCE, 0, "ABI 1.0 test source", kOptions, 1}};

FERRY_EXPORT const FerryPluginDescriptor ferry_plugin_descriptor = {
    sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_1_0, "abi-v1-0-source", "1.0.0",
    "test fixture built for ABI 1.0", kKinds, 1};

FERRY_EXPORT FerryStatus ferry_plugin_init(uint32_t abi_version, FerryPluginApi* api) {
  if (abi_version != FERRY_ABI_VERSION_1_0) return FERRY_NOT_IMPLEMENTED;
  /* Built against 1.0: its table ends after backlog_hook. */
  memset(api, 0, FERRY_PLUGIN_API_SIZE_1_1);
  api->struct_size = (uint32_t)FERRY_PLUGIN_API_SIZE_1_1;
  api->abi_version = FERRY_ABI_VERSION_1_0;
  api->source = &kSource;
  return FERRY_OK;
}
