/* tsv: a Ferry sink in plain C. It appends each committed row to a file as
 * tab-separated text, after a header line naming the fields. */
#define _POSIX_C_SOURCE 200809L /* fileno and fsync, for ferry/staged_file.h */
#include <ferry/plugin.h>
#include <ferry/staged_file.h>

static FerryStatus tsv_open(const FerryOpenArgs* a, FerryInstance* out) {
  FerryStagedFile* f = malloc(sizeof *f);
  FerryStatus st = f ? ferry_staged_open(f, a, "path") : ferry_fail(a->host, FERRY_ERROR_INTERNAL, "tsv: no memory");
  if (st == FERRY_OK) *out = f; else free(f);
  return st;
}
static void put(FerryStagedFile* f, FerryBytes text, char after) {
  ferry_staged_append(f, text.data, text.size);
  ferry_staged_append(f, &after, 1);
}
static FerryStatus tsv_write(FerryInstance self, const FerryBatch* b, FerryRecordOutcome* outcomes) {
  size_t r, c, n = b->schema.n_fields, header = ferry_staged_empty(self) ? n : 0; /* above the first row */
  FerryValueText scratch;
  for (c = 0; c < header; ++c) put(self, b->schema.fields[c].name, c + 1 < n ? '\t' : '\n');
  for (r = 0; r < b->n_rows; ++r)
    for (c = 0; c < n; ++c) put(self, ferry_value_text(&b->values[r * n + c], &scratch), c + 1 < n ? '\t' : '\n');
  (void)outcomes; /* every row is taken */
  return FERRY_OK;
}
static FerryStatus tsv_commit(FerryInstance self, const FerryCheckpoint* checkpoint) {
  (void)checkpoint; /* not transactional: the host keeps the checkpoint */
  return ferry_staged_commit(self);
}
static FerryStatus tsv_abort(FerryInstance self) { ferry_staged_abort(self); return FERRY_OK; }
static void tsv_close(FerryInstance self) { ferry_staged_close(self); free(self); }

static const FerrySinkApi kSink = {sizeof(FerrySinkApi), 0, tsv_open, tsv_write, tsv_commit,
                                   tsv_abort, ferry_no_checkpoint, tsv_close, NULL /* fence (1.6) */,
                                   NULL /* await_commit (1.10) */};
static const FerryOptionSpec kOptions[] = {{"path", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, NULL,
                                            "Output file, relative to the pipeline's directory; rows are appended."}};
FERRY_C_PLUGIN("tsv", "1.0.0", "Appends rows as tab-separated text.", FERRY_KIND_SINK, 0, kOptions, sink, kSink)
