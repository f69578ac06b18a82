/* A source in C that makes its batches with <ferry/batch_builder.h>:
 * rows 1..N (option "rows", default 25) of every kind of value, resumable
 * from a row's id. Its option comes typed (ferry_option, ABI 1.4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/batch_builder.h>
#include <ferry/plugin.h>

#include "c_fixture_position.h"

typedef struct {
  const FerryHost* host;
  int64_t rows, next, batch_rows;
} Source;

static const char kPart[] = "all";
static const FerryBytes kPartitions[] = {{kPart, 3}};

static FerryStatus src_open(const FerryOpenArgs* a, FerryInstance* out) {
  const FerryOptionValue* rows = ferry_option(a, "rows");
  Source* s = (Source*)calloc(1, sizeof *s);
  if (!s) return ferry_fail(a->host, FERRY_ERROR_INTERNAL, "c-builder: out of memory");
  if (!rows) return free(s), ferry_fail(a->host, FERRY_ERROR_CONFIG, "c-builder: needs a 1.4 host");
  s->host = a->host;
  s->rows = rows->as.i64;
  s->batch_rows = (int64_t)a->max_batch_records;
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
  (void)partition;
  ((Source*)self)->next = fixture_row_after(position);
  return FERRY_OK;
}
static FerryStatus src_next(FerryInstance self, FerryBatch* out) {
  Source* s = (Source*)self;
  FerryCBatch* b;
  char text[64], pos[24];
  size_t r;
  int64_t n;
  if (s->next > s->rows) return FERRY_END_OF_STREAM;
  b = ferry_batch_begin(6);
  ferry_batch_field(b, 0, "id", FERRY_TYPE_INT64, FERRY_FIELD_KEY);
  ferry_batch_field(b, 1, "name", FERRY_TYPE_STRING, 0);
  ferry_batch_field(b, 2, "amount", FERRY_TYPE_DOUBLE, 0);
  ferry_batch_field(b, 3, "odd", FERRY_TYPE_BOOL, 0);
  ferry_batch_field(b, 4, "at", FERRY_TYPE_TIMESTAMP, 0);
  ferry_batch_field(b, 5, "note", FERRY_TYPE_JSON, FERRY_FIELD_NULLABLE);
  for (n = 0; n < s->batch_rows && s->next <= s->rows; ++n, ++s->next) {
    const int64_t id = s->next;
    const int len = snprintf(pos, sizeof pos, "%lld", (long long)id);
    r = ferry_batch_row(b, pos, (size_t)len, pos, (size_t)len);
    ferry_batch_int(b, r, 0, id);
    ferry_batch_text(b, r, 1, FERRY_TYPE_STRING, text,
                     (size_t)snprintf(text, sizeof text, "row %lld \xc3\xa9", (long long)id));
    ferry_batch_double(b, r, 2, (double)id * 0.5);
    ferry_batch_bool(b, r, 3, (int)(id % 2));
    ferry_batch_timestamp(b, r, 4, id * 1000000);
    if (id % 2) ferry_batch_text(b, r, 5, FERRY_TYPE_JSON, text, (size_t)snprintf(text, sizeof text, "{\"n\":%lld}", (long long)id));
  }
  {
    FerryBytes end;
    end.data = pos;
    end.size = strlen(pos);
    if (ferry_batch_finish(b, kPartitions[0], end, out) != FERRY_OK)
      return ferry_fail(s->host, FERRY_ERROR_INTERNAL, "c-builder: out of memory");
  }
  return FERRY_OK;
}
static void src_close(FerryInstance self) { free(self); }

static const FerrySourceApi kSource = {sizeof(FerrySourceApi), 0, src_open, src_partitions, src_start,
                                       src_next, src_close, NULL, NULL, NULL, NULL};
static const FerryOptionSpec kOptions[] = {{"rows", FERRY_OPTION_INT, 0, "25", "how many rows"}};
static const FerryKindSpec kKinds[] = {{FERRY_KIND_SOURCE, 0, "rows built with the C batch builder", kOptions, 1}};

FERRY_EXPORT const FerryPluginDescriptor ferry_plugin_descriptor = {
    sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, "c-builder", "1.0.0",
    "a C source using ferry/batch_builder.h", kKinds, 1};

FERRY_EXPORT FerryStatus ferry_plugin_init(uint32_t abi_version, FerryPluginApi* api) {
  if (!ferry_plugin_api_accept(abi_version, api)) return FERRY_NOT_IMPLEMENTED;
  api->source = &kSource;
  return FERRY_OK;
}
