/*
 * For sinks in C that append text to a file: rows are staged in memory by
 * write, appended and made durable (fsync) by commit, dropped by abort.
 *
 *   FerryStatus my_open(const FerryOpenArgs* a, FerryInstance* out) {
 *     ... return ferry_staged_open(&s->file, a, "path");   (a path option)
 *   }
 *   write:  ferry_staged_append(&s->file, text, size) for each piece
 *   commit: return ferry_staged_commit(&s->file);
 *   abort:  ferry_staged_abort(&s->file); return FERRY_OK;
 *   close:  ferry_staged_close(&s->file);
 *
 * POSIX (fsync). Header-only C89; an instance is used by one thread at a
 * time, as every instance is.
 */
#ifndef FERRY_STAGED_FILE_H_
#define FERRY_STAGED_FILE_H_

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ferry/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct FerryStagedFile {
  const FerryHost* host;
  FILE* out;
  long committed; /* bytes in the file: 0 for a new, empty file */
  char* staged;
  size_t staged_len, staged_cap;
  int failed;     /* out of memory while staging: commit refuses */
} FerryStagedFile;

/* Opens the file named by the string option `option` (relative paths
 * against the pipeline's directory) for appending. */
static FERRY_MAYBE_UNUSED FerryStatus ferry_staged_open(FerryStagedFile* f, const FerryOpenArgs* args,
                                                        const char* option) {
  const FerryOptionValue* path = ferry_option(args, option);
  char* full;
  size_t n;
  memset(f, 0, sizeof *f);
  f->host = args->host;
  if (!path || !path->present || path->type != FERRY_OPTION_STRING || path->as.text.size == 0)
    return ferry_fail(args->host, FERRY_ERROR_CONFIG, "the file option is missing (or the host is older than ABI 1.4)");
  n = args->base_dir.size + path->as.text.size + 2;
  full = (char*)malloc(n);
  if (!full) return ferry_fail(args->host, FERRY_ERROR_INTERNAL, "out of memory");
  if (path->as.text.data[0] == '/' || args->base_dir.size == 0)
    sprintf(full, "%.*s", (int)path->as.text.size, path->as.text.data);
  else
    sprintf(full, "%.*s/%.*s", (int)args->base_dir.size, args->base_dir.data, (int)path->as.text.size,
            path->as.text.data);
  f->out = fopen(full, "a");
  free(full);
  if (!f->out || fseek(f->out, 0, SEEK_END) != 0 || (f->committed = ftell(f->out)) < 0) {
    if (f->out) fclose(f->out);
    f->out = NULL;
    return ferry_fail(args->host, FERRY_ERROR_IO, "cannot open the output file for appending");
  }
  return FERRY_OK;
}

/* Whether nothing has been written to the file or staged since: the place
 * for a header line. */
static FERRY_MAYBE_UNUSED int ferry_staged_empty(const FerryStagedFile* f) {
  return f->committed == 0 && f->staged_len == 0;
}

static FERRY_MAYBE_UNUSED void ferry_staged_append(FerryStagedFile* f, const char* data, size_t size) {
  if (f->failed) return;
  if (f->staged_len + size > f->staged_cap) {
    size_t cap = f->staged_cap ? f->staged_cap : 65536;
    char* grown;
    while (cap < f->staged_len + size) cap *= 2;
    grown = (char*)realloc(f->staged, cap);
    if (!grown) {
      f->failed = 1;
      return;
    }
    f->staged = grown;
    f->staged_cap = cap;
  }
  memcpy(f->staged + f->staged_len, data, size);
  f->staged_len += size;
}

static FERRY_MAYBE_UNUSED void ferry_staged_abort(FerryStagedFile* f) {
  f->staged_len = 0;
  f->failed = 0;
}

/* Appends what is staged and makes it durable. */
static FERRY_MAYBE_UNUSED FerryStatus ferry_staged_commit(FerryStagedFile* f) {
  if (f->failed) return ferry_fail(f->host, FERRY_ERROR_INTERNAL, "out of memory while staging rows");
  if (fwrite(f->staged, 1, f->staged_len, f->out) != f->staged_len || fflush(f->out) != 0 ||
      fsync(fileno(f->out)) != 0)
    return ferry_fail(f->host, FERRY_ERROR_IO, "cannot write the output file");
  f->committed += (long)f->staged_len;
  f->staged_len = 0;
  return FERRY_OK;
}

static FERRY_MAYBE_UNUSED void ferry_staged_close(FerryStagedFile* f) {
  if (f->out) fclose(f->out);
  free(f->staged);
  memset(f, 0, sizeof *f);
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FERRY_STAGED_FILE_H_ */
