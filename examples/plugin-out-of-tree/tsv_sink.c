/* tsv: a Ferry sink in plain C. It appends each committed row to a file as
 * tab-separated text, with a header line naming the fields.
 *
 * It shows the whole contract a C plugin needs: the descriptor, the entry
 * point with version negotiation, a sink table, write/commit/abort with
 * staged data, error reporting through the host, and ownership (the host's
 * memory is only borrowed during a call; ours is freed in close). */
#define _POSIX_C_SOURCE 200809L /* fileno, fsync */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ferry/plugin.h>

typedef struct {
  const FerryHost* host;
  FILE* out;
  char* staged; /* rows written but not committed */
  size_t staged_len, staged_cap;
  int wrote_header;
} TsvSink;

static FerryStatus fail(const FerryHost* host, FerryStatus status, const char* msg) {
  host->set_error(host->host_data, msg, strlen(msg));
  return status;
}

static int stage(TsvSink* s, const char* data, size_t len) {
  if (s->staged_len + len > s->staged_cap) {
    size_t cap = (s->staged_cap ? s->staged_cap * 2 : 65536);
    char* grown;
    while (cap < s->staged_len + len) cap *= 2;
    grown = (char*)realloc(s->staged, cap);
    if (!grown) return 0;
    s->staged = grown;
    s->staged_cap = cap;
  }
  memcpy(s->staged + s->staged_len, data, len);
  s->staged_len += len;
  return 1;
}

/* The host validated the config against our options and filled defaults, so
 * "path" is present. A real plugin would use a JSON library; this example
 * stays dependency-free and reads one simple string value. */
static int config_string(FerryBytes json, const char* key, char* out, size_t cap) {
  char pattern[64];
  const char* p;
  const char* end = json.data + json.size;
  size_t n = 0;
  sprintf(pattern, "\"%s\":\"", key);
  for (p = json.data; p + strlen(pattern) <= end; ++p)
    if (memcmp(p, pattern, strlen(pattern)) == 0) break;
  if (p + strlen(pattern) > end) return 0;
  for (p += strlen(pattern); p < end && *p != '"' && n + 1 < cap; ++p) out[n++] = *p;
  out[n] = 0;
  return n > 0;
}

static FerryStatus tsv_open(const FerryOpenArgs* args, FerryInstance* out) {
  char path[1024], full[2048];
  TsvSink* s;
  if (!config_string(args->config_json, "path", path, sizeof path))
    return fail(args->host, FERRY_ERROR_CONFIG, "tsv: option 'path' must be a non-empty string");
  if (path[0] == '/' || args->base_dir.size == 0)
    snprintf(full, sizeof full, "%s", path);
  else
    snprintf(full, sizeof full, "%.*s/%s", (int)args->base_dir.size, args->base_dir.data, path);
  s = (TsvSink*)calloc(1, sizeof *s);
  if (!s) return fail(args->host, FERRY_ERROR_INTERNAL, "tsv: out of memory");
  s->host = args->host;
  s->out = fopen(full, "a");
  if (!s->out) {
    free(s);
    return fail(args->host, FERRY_ERROR_IO, "tsv: cannot open the output file");
  }
  s->wrote_header = ftell(s->out) > 0;
  *out = s;
  return FERRY_OK;
}

static void format_value(const FerryValue* v, char* buf, size_t cap, const char** text, size_t* len) {
  switch (v->type) {
    case FERRY_TYPE_NULL: *text = "\\N"; *len = 2; return;
    case FERRY_TYPE_BOOL: *text = v->as.boolean ? "true" : "false"; *len = strlen(*text); return;
    case FERRY_TYPE_INT64:
    case FERRY_TYPE_TIMESTAMP: *len = (size_t)snprintf(buf, cap, "%lld", (long long)v->as.i64); *text = buf; return;
    case FERRY_TYPE_DOUBLE: *len = (size_t)snprintf(buf, cap, "%.17g", v->as.f64); *text = buf; return;
    default: *text = v->as.bytes.data; *len = v->as.bytes.size; return;
  }
}

static FerryStatus tsv_write(FerryInstance self, const FerryBatch* b, FerryRecordOutcome* outcomes) {
  TsvSink* s = (TsvSink*)self;
  size_t r, f;
  char buf[64];
  (void)outcomes; /* this sink accepts every row */
  if (!s->wrote_header && b->n_rows > 0) {
    for (f = 0; f < b->schema.n_fields; ++f) {
      if (f && !stage(s, "\t", 1)) goto oom;
      if (!stage(s, b->schema.fields[f].name.data, b->schema.fields[f].name.size)) goto oom;
    }
    if (!stage(s, "\n", 1)) goto oom;
    s->wrote_header = 1;
  }
  for (r = 0; r < b->n_rows; ++r) {
    for (f = 0; f < b->schema.n_fields; ++f) {
      const char* text;
      size_t len;
      format_value(&b->values[r * b->schema.n_fields + f], buf, sizeof buf, &text, &len);
      if (f && !stage(s, "\t", 1)) goto oom;
      if (!stage(s, text, len)) goto oom;
    }
    if (!stage(s, "\n", 1)) goto oom;
  }
  return FERRY_OK;
oom:
  return fail(s->host, FERRY_ERROR_INTERNAL, "tsv: out of memory");
}

static FerryStatus tsv_commit(FerryInstance self, const FerryCheckpoint* checkpoint) {
  TsvSink* s = (TsvSink*)self;
  (void)checkpoint; /* not transactional: the host keeps the checkpoint */
  if (s->staged_len && fwrite(s->staged, 1, s->staged_len, s->out) != s->staged_len)
    return fail(s->host, FERRY_RETRY, "tsv: short write");
  if (fflush(s->out) != 0 || fsync(fileno(s->out)) != 0)
    return fail(s->host, FERRY_ERROR_IO, "tsv: cannot flush the output file");
  s->staged_len = 0;
  return FERRY_OK;
}

static FerryStatus tsv_abort(FerryInstance self) {
  ((TsvSink*)self)->staged_len = 0;
  return FERRY_OK;
}

static FerryStatus tsv_checkpoint(FerryInstance self, FerryBytes partition, FerryBytes* position,
                                  int32_t* found) {
  (void)self;
  (void)partition;
  position->data = NULL;
  position->size = 0;
  *found = 0;
  return FERRY_OK;
}

static void tsv_close(FerryInstance self) {
  TsvSink* s = (TsvSink*)self;
  fclose(s->out);
  free(s->staged);
  free(s);
}

static const FerrySinkApi kSink = {sizeof(FerrySinkApi), 0, tsv_open, tsv_write, tsv_commit,
                                   tsv_abort, tsv_checkpoint, tsv_close};

static const FerryOptionSpec kOptions[] = {
    {"path", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, NULL,
     "Output file, relative to the pipeline's directory; rows are appended."}};
static const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SINK, 0, "Appends rows as tab-separated text.", kOptions, 1}};

FERRY_EXPORT const FerryPluginDescriptor ferry_plugin_descriptor = {
    sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, "tsv", "1.0.0",
    "Example sink written in C against the installed Ferry SDK", kKinds, 1};

FERRY_EXPORT FerryStatus ferry_plugin_init(uint32_t abi_version, FerryPluginApi* api) {
  /* Fills no more of the table than the offered version has. */
  if (!ferry_plugin_api_accept(abi_version, api)) return FERRY_NOT_IMPLEMENTED;
  api->sink = &kSink;
  return FERRY_OK;
}
