/* A source in C that takes acknowledgements (ABI 1.8): rows 1..N ("rows")
 * of one int64 field, in batches of the host's size, positions their ids.
 * Each acknowledged position is appended to "ack_log" and flushed at once;
 * with "die_at_read" K > 0 the process dies like kill -9 at the K-th read,
 * and with "wait_at_read" W > 0 the W-th read first waits until the file
 * "<ack_log>.go" exists (a quiet source); with "log_start" the position it
 * is started from goes to the log too, as "start <position>". So a test can
 * set what the source was told against what the host stored. */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ferry/batch_builder.h>
#include <ferry/plugin.h>

#include "c_fixture_position.h"

typedef struct {
  const FerryHost* host;
  int64_t rows, next, batch_rows, die_at_read, wait_at_read, reads;
  int log_start;
  FILE* ack_log;
  char gate[4100];
} Source;

static const char kPart[] = "all";
static const FerryBytes kPartitions[] = {{kPart, 3}};

static FerryStatus src_open(const FerryOpenArgs* a, FerryInstance* out) {
  const FerryOptionValue* rows = ferry_option(a, "rows");
  const FerryOptionValue* log = ferry_option(a, "ack_log");
  const FerryOptionValue* die = ferry_option(a, "die_at_read");
  const FerryOptionValue* wait = ferry_option(a, "wait_at_read");
  const FerryOptionValue* log_start = ferry_option(a, "log_start");
  char path[4096];
  Source* s;
  if (!rows || !log || !die || !wait || !log_start) return ferry_fail(a->host, FERRY_ERROR_CONFIG, "acking: needs a 1.4 host");
  if (log->as.text.size == 0 || log->as.text.size >= sizeof path)
    return ferry_fail(a->host, FERRY_ERROR_CONFIG, "acking: 'ack_log' must name a file");
  s = (Source*)calloc(1, sizeof *s);
  if (!s) return ferry_fail(a->host, FERRY_ERROR_INTERNAL, "acking: out of memory");
  memcpy(path, log->as.text.data, log->as.text.size);
  path[log->as.text.size] = '\0';
  s->ack_log = fopen(path, "a");
  if (!s->ack_log) return free(s), ferry_fail(a->host, FERRY_ERROR_CONFIG, "acking: cannot open 'ack_log'");
  s->host = a->host;
  s->rows = rows->as.i64;
  s->die_at_read = die->as.i64;
  s->wait_at_read = wait->as.i64;
  s->log_start = log_start->as.boolean != 0;
  snprintf(s->gate, sizeof s->gate, "%s.go", path);
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
  Source* s = (Source*)self;
  (void)partition;
  s->next = fixture_row_after(position);
  if (s->log_start && position) {
    fprintf(s->ack_log, "start %.*s\n", (int)position->size, position->data);
    fflush(s->ack_log);
  }
  return FERRY_OK;
}
static FerryStatus src_next(FerryInstance self, FerryBatch* out) {
  Source* s = (Source*)self;
  FerryCBatch* b;
  FerryBytes end;
  char pos[24] = "0";
  int64_t n;
  ++s->reads;
  if (s->die_at_read > 0 && s->reads == s->die_at_read) {
    kill(getpid(), SIGKILL);
    _exit(137);
  }
  if (s->wait_at_read > 0 && s->reads == s->wait_at_read) {
    const struct timespec pause = {0, 5000000};
    struct stat st;
    while (stat(s->gate, &st) != 0 && !s->host->is_cancelled(s->host->host_data)) nanosleep(&pause, NULL);
  }
  if (s->next > s->rows) return FERRY_END_OF_STREAM;
  b = ferry_batch_begin(1);
  ferry_batch_field(b, 0, "id", FERRY_TYPE_INT64, FERRY_FIELD_KEY);
  for (n = 0; n < s->batch_rows && s->next <= s->rows; ++n, ++s->next) {
    const int len = snprintf(pos, sizeof pos, "%lld", (long long)s->next);
    ferry_batch_int(b, ferry_batch_row(b, pos, (size_t)len, pos, (size_t)len), 0, s->next);
  }
  end.data = pos;
  end.size = strlen(pos);
  if (ferry_batch_finish(b, kPartitions[0], end, out) != FERRY_OK)
    return ferry_fail(s->host, FERRY_ERROR_INTERNAL, "acking: out of memory");
  return FERRY_OK;
}
static FerryStatus src_acknowledged(FerryInstance self, FerryBytes partition, FerryBytes position) {
  Source* s = (Source*)self;
  (void)partition;
  fprintf(s->ack_log, "%.*s\n", (int)position.size, position.data);
  fflush(s->ack_log);
  return FERRY_OK;
}
static void src_close(FerryInstance self) {
  Source* s = (Source*)self;
  fclose(s->ack_log);
  free(s);
}

static const FerrySourceApi kSource = {sizeof(FerrySourceApi), 0, src_open, src_partitions, src_start,
                                       src_next, src_close, NULL, NULL, NULL, src_acknowledged};
static const FerryOptionSpec kOptions[] = {
    {"rows", FERRY_OPTION_INT, 0, "100", "how many rows"},
    {"ack_log", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, NULL, "file each acknowledged position is appended to"},
    {"die_at_read", FERRY_OPTION_INT, 0, "0", "die like kill -9 at this read (0: never)"},
    {"wait_at_read", FERRY_OPTION_INT, 0, "0", "this read waits for <ack_log>.go (0: none)"},
    {"log_start", FERRY_OPTION_BOOL, 0, "false", "also append \"start <position>\" when started from one"}};
static const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SOURCE, 0, "rows 1..N; logs the positions it is told are stored", kOptions,
     sizeof kOptions / sizeof kOptions[0]}};

FERRY_EXPORT const FerryPluginDescriptor ferry_plugin_descriptor = {
    sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, "acking", "1.0.0",
    "a C source that takes acknowledgements", kKinds, 1};

FERRY_EXPORT FerryStatus ferry_plugin_init(uint32_t abi_version, FerryPluginApi* api) {
  if (!ferry_plugin_api_accept(abi_version, api)) return FERRY_NOT_IMPLEMENTED;
  api->source = &kSource;
  return FERRY_OK;
}
