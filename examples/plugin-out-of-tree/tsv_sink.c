/* tsv: a Ferry sink in plain C. It appends each committed row to a file as
 * tab-separated text, after a header line naming the fields. Rows are
 * staged in memory by write and reach the file only in commit. */
#define _POSIX_C_SOURCE 200809L /* open_memstream, fileno, fsync */
#include <ferry/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct { const FerryHost* host; FILE *out, *staged; char* buf; size_t len, rows; } Tsv;

static void restage(Tsv* s) { /* drop what is staged, start empty */
  if (s->staged) fclose(s->staged);
  free(s->buf);
  s->buf = NULL, s->rows = 0, s->staged = open_memstream(&s->buf, &s->len);
}
static FerryStatus tsv_open(const FerryOpenArgs* a, FerryInstance* out) {
  const FerryOptionValue* path = ferry_option(a, "path"); /* the host checked it is a string */
  Tsv* s = calloc(1, sizeof *s);
  char full[4096];
  if (!path) return ferry_fail(a->host, FERRY_ERROR_CONFIG, "tsv: this host is older than ABI 1.4");
  snprintf(full, sizeof full, "%.*s%s%.*s", path->as.text.data[0] == '/' ? 0 : (int)a->base_dir.size,
           a->base_dir.data, path->as.text.data[0] == '/' ? "" : "/", (int)path->as.text.size, path->as.text.data);
  if (!s || !(s->out = fopen(full, "a"))) return free(s), ferry_fail(a->host, FERRY_ERROR_IO, "tsv: cannot open the file");
  s->host = a->host, *out = s;
  restage(s);
  return fseek(s->out, 0, SEEK_END) == 0 ? FERRY_OK : ferry_fail(a->host, FERRY_ERROR_IO, "tsv: cannot seek");
}
static FerryStatus tsv_write(FerryInstance self, const FerryBatch* b, FerryRecordOutcome* outcomes) {
  Tsv* s = self;
  size_t r, f, n = b->schema.n_fields;
  FerryValueText scratch;
  for (f = 0; ftell(s->out) == 0 && s->rows == 0 && f < n; ++f) /* a header line above the first row */
    fprintf(s->staged, "%.*s%c", (int)b->schema.fields[f].name.size, b->schema.fields[f].name.data, f + 1 < n ? '\t' : '\n');
  for (r = 0; r < b->n_rows; ++r, ++s->rows)
    for (f = 0; f < n; ++f) {
      FerryBytes text = ferry_value_text(&b->values[r * n + f], &scratch);
      fprintf(s->staged, "%.*s%c", (int)text.size, text.data, f + 1 < n ? '\t' : '\n');
    }
  (void)outcomes; /* every row is taken */
  return fflush(s->staged) == 0 ? FERRY_OK : ferry_fail(s->host, FERRY_ERROR_INTERNAL, "tsv: out of memory");
}
static FerryStatus tsv_commit(FerryInstance self, const FerryCheckpoint* checkpoint) {
  Tsv* s = self;
  (void)checkpoint; /* not transactional: the host keeps the checkpoint */
  if (fwrite(s->buf, 1, s->len, s->out) != s->len || fflush(s->out) != 0 || fsync(fileno(s->out)) != 0)
    return ferry_fail(s->host, FERRY_ERROR_IO, "tsv: cannot write the output file");
  restage(s);
  return FERRY_OK;
}
static FerryStatus tsv_abort(FerryInstance self) { restage(self); return FERRY_OK; }
static void tsv_close(FerryInstance self) {
  Tsv* s = self;
  fclose(s->out), fclose(s->staged), free(s->buf), free(s);
}

static const FerrySinkApi kSink = {sizeof(FerrySinkApi), 0, tsv_open, tsv_write, tsv_commit,
                                   tsv_abort, ferry_no_checkpoint, tsv_close};
static const FerryOptionSpec kOptions[] = {{"path", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, NULL,
                                            "Output file, relative to the pipeline's directory; rows are appended."}};
static const FerryKindSpec kKinds[] = {{FERRY_KIND_SINK, 0, "Appends rows as tab-separated text.", kOptions, 1}};
FERRY_EXPORT const FerryPluginDescriptor ferry_plugin_descriptor = {
    sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, "tsv", "1.0.0",
    "Example sink written in C against the installed Ferry SDK", kKinds, 1};
FERRY_EXPORT FerryStatus ferry_plugin_init(uint32_t abi_version, FerryPluginApi* api) {
  if (!ferry_plugin_api_accept(abi_version, api)) return FERRY_NOT_IMPLEMENTED;
  api->sink = &kSink;
  return FERRY_OK;
}
