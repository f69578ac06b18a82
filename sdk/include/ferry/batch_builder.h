/*
 * A batch builder for plugins written in C: rows of typed values in, one
 * FerryBatch out that owns all its memory and frees it in `release`.
 *
 *   FerryCBatch* b = ferry_batch_begin(2);
 *   ferry_batch_field(b, 0, "id", FERRY_TYPE_INT64, FERRY_FIELD_KEY);
 *   ferry_batch_field(b, 1, "name", FERRY_TYPE_STRING, FERRY_FIELD_NULLABLE);
 *   r = ferry_batch_row(b, key, key_len, position, position_len);
 *   ferry_batch_int(b, r, 0, 42);
 *   ferry_batch_text(b, r, 1, FERRY_TYPE_STRING, "Ada", 3);
 *   return ferry_batch_finish(b, partition, end_position, out);
 *
 * Values not set are null. Every byte handed in is copied. Out of memory
 * anywhere makes ferry_batch_finish return FERRY_ERROR_INTERNAL (and free
 * everything), so calls in between need no checks. Header-only, C89 with
 * <stdint.h>; one builder per thread.
 */
#ifndef FERRY_BATCH_BUILDER_H_
#define FERRY_BATCH_BUILDER_H_

#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct FerryCBatch {
  size_t n_fields, n_rows, cap_rows;
  FerryField* fields;
  FerryValue* values;        /* n_rows * n_fields, row-major */
  FerryRecordMeta* records;  /* n_rows */
  /* Where each byte string starts in `text`, plus one (0: not a string);
   * addresses are set at finish, once `text` no longer moves. */
  size_t* value_at;          /* per value */
  size_t* key_at;            /* per row: key, position */
  size_t* position_at;
  size_t* name_at;           /* per field */
  char* text;
  size_t text_len, text_cap;
  int failed;                /* out of memory */
} FerryCBatch;

/* Appends `size` bytes to the text; returns their offset plus one. */
static FERRY_MAYBE_UNUSED size_t ferry_batch_keep_(FerryCBatch* b, const char* data, size_t size) {
  size_t at = b->text_len;
  if (b->failed) return 0;
  if (b->text_len + size > b->text_cap) {
    size_t cap = b->text_cap ? b->text_cap : 1024;
    char* grown;
    while (cap < b->text_len + size) cap *= 2;
    grown = (char*)realloc(b->text, cap);
    if (!grown) {
      b->failed = 1;
      return 0;
    }
    b->text = grown;
    b->text_cap = cap;
  }
  if (size) memcpy(b->text + at, data, size);
  b->text_len += size;
  return at + 1;
}

static FERRY_MAYBE_UNUSED FerryCBatch* ferry_batch_begin(size_t n_fields) {
  FerryCBatch* b = (FerryCBatch*)calloc(1, sizeof *b);
  if (!b) return NULL;
  b->n_fields = n_fields;
  b->fields = (FerryField*)calloc(n_fields ? n_fields : 1, sizeof *b->fields);
  b->name_at = (size_t*)calloc(n_fields ? n_fields : 1, sizeof *b->name_at);
  if (!b->fields || !b->name_at) b->failed = 1;
  return b;
}

static FERRY_MAYBE_UNUSED void ferry_batch_field(FerryCBatch* b, size_t f, const char* name, FerryType type,
                                                 uint32_t flags) {
  size_t len = strlen(name);
  if (!b || b->failed || f >= b->n_fields) return;
  b->name_at[f] = ferry_batch_keep_(b, name, len);
  b->fields[f].name.size = len;
  b->fields[f].type = type;
  b->fields[f].flags = flags;
}

/* A new row, all values null; returns its index. */
static FERRY_MAYBE_UNUSED size_t ferry_batch_row(FerryCBatch* b, const char* key, size_t key_len,
                                                 const char* position, size_t position_len) {
  size_t r;
  if (!b || b->failed) return 0;
  if (b->n_rows == b->cap_rows) {
    size_t cap = b->cap_rows ? b->cap_rows * 2 : 64, n = b->n_fields ? b->n_fields : 1;
    void* grown;
    /* Each array keeps its old block until its own realloc succeeds. */
    if ((grown = realloc(b->values, cap * n * sizeof *b->values)) != NULL) b->values = (FerryValue*)grown;
    if (grown && (grown = realloc(b->value_at, cap * n * sizeof *b->value_at)) != NULL) b->value_at = (size_t*)grown;
    if (grown && (grown = realloc(b->records, cap * sizeof *b->records)) != NULL) b->records = (FerryRecordMeta*)grown;
    if (grown && (grown = realloc(b->key_at, cap * sizeof *b->key_at)) != NULL) b->key_at = (size_t*)grown;
    if (grown && (grown = realloc(b->position_at, cap * sizeof *b->position_at)) != NULL)
      b->position_at = (size_t*)grown;
    if (!grown) {
      b->failed = 1;
      return 0;
    }
    b->cap_rows = cap;
  }
  r = b->n_rows++;
  memset(&b->values[r * b->n_fields], 0, b->n_fields * sizeof *b->values);
  memset(&b->value_at[r * b->n_fields], 0, b->n_fields * sizeof *b->value_at);
  memset(&b->records[r], 0, sizeof b->records[r]);
  b->key_at[r] = ferry_batch_keep_(b, key, key_len);
  b->records[r].key.size = key_len;
  b->position_at[r] = ferry_batch_keep_(b, position, position_len);
  b->records[r].position.size = position_len;
  b->records[r].op = FERRY_OP_INSERT;
  return r;
}

static FERRY_MAYBE_UNUSED FerryValue* ferry_batch_value_(FerryCBatch* b, size_t r, size_t f, FerryType type) {
  FerryValue* v;
  if (!b || b->failed || r >= b->n_rows || f >= b->n_fields) return NULL;
  v = &b->values[r * b->n_fields + f];
  v->type = type;
  b->value_at[r * b->n_fields + f] = 0;
  return v;
}
static FERRY_MAYBE_UNUSED void ferry_batch_int(FerryCBatch* b, size_t r, size_t f, int64_t x) {
  FerryValue* v = ferry_batch_value_(b, r, f, FERRY_TYPE_INT64);
  if (v) v->as.i64 = x;
}
static FERRY_MAYBE_UNUSED void ferry_batch_timestamp(FerryCBatch* b, size_t r, size_t f, int64_t micros) {
  FerryValue* v = ferry_batch_value_(b, r, f, FERRY_TYPE_TIMESTAMP);
  if (v) v->as.i64 = micros;
}
static FERRY_MAYBE_UNUSED void ferry_batch_double(FerryCBatch* b, size_t r, size_t f, double x) {
  FerryValue* v = ferry_batch_value_(b, r, f, FERRY_TYPE_DOUBLE);
  if (v) v->as.f64 = x;
}
static FERRY_MAYBE_UNUSED void ferry_batch_bool(FerryCBatch* b, size_t r, size_t f, int x) {
  FerryValue* v = ferry_batch_value_(b, r, f, FERRY_TYPE_BOOL);
  if (v) v->as.boolean = x ? 1 : 0;
}
/* STRING, BYTES, JSON or DECIMAL: the bytes are copied. */
static FERRY_MAYBE_UNUSED void ferry_batch_text(FerryCBatch* b, size_t r, size_t f, FerryType type,
                                                const char* data, size_t size) {
  size_t at = ferry_batch_keep_(b, data, size);
  FerryValue* v = ferry_batch_value_(b, r, f, type);
  if (!v) return;
  v->as.bytes.data = NULL;
  v->as.bytes.size = size;
  b->value_at[r * b->n_fields + f] = at;
}
static FERRY_MAYBE_UNUSED void ferry_batch_null(FerryCBatch* b, size_t r, size_t f) {
  ferry_batch_value_(b, r, f, FERRY_TYPE_NULL);
}

static FERRY_MAYBE_UNUSED void ferry_batch_free_(FerryCBatch* b) {
  if (!b) return;
  free(b->fields);
  free(b->name_at);
  free(b->values);
  free(b->value_at);
  free(b->records);
  free(b->key_at);
  free(b->position_at);
  free(b->text);
  free(b);
}

/* Frees a builder without making a batch (an error on the way). */
static FERRY_MAYBE_UNUSED void ferry_batch_discard(FerryCBatch* b) { ferry_batch_free_(b); }

static FERRY_MAYBE_UNUSED void ferry_batch_release_(FerryBatch* batch) {
  ferry_batch_free_((FerryCBatch*)batch->private_data);
  batch->release = NULL;
}

/* The address of a string kept at `at` (offset plus one). */
static FERRY_MAYBE_UNUSED const char* ferry_batch_at_(const FerryCBatch* b, size_t at) {
  return at ? b->text + (at - 1) : b->text;
}

/* Fills `out` (the host releases it; the builder is gone either way).
 * The partition and end position are copied too. FERRY_ERROR_INTERNAL
 * when memory ran out at any step. */
static FERRY_MAYBE_UNUSED FerryStatus ferry_batch_finish(FerryCBatch* b, FerryBytes partition,
                                                         FerryBytes end_position, FerryBatch* out) {
  size_t i, partition_at, end_at, room;
  FerryBatch done;
  if (!b) return FERRY_ERROR_INTERNAL;
  /* No further than the host's struct reaches (its struct_size; none: a host
   * before this rule, with the 1.0 layout, which is this one). */
  room = out->struct_size == 0 || out->struct_size > sizeof done ? sizeof done : out->struct_size;
  if (room < sizeof done) {
    ferry_batch_free_(b);
    return FERRY_ERROR_INTERNAL;
  }
  partition_at = ferry_batch_keep_(b, partition.data, partition.size);
  end_at = ferry_batch_keep_(b, end_position.data, end_position.size);
  if (!b->failed && !b->text) b->text = (char*)malloc(1); /* no strings at all */
  if (b->failed || !b->text) {
    ferry_batch_free_(b);
    return FERRY_ERROR_INTERNAL;
  }
  /* Nothing moves any more: offsets become addresses. */
  for (i = 0; i < b->n_fields; ++i) b->fields[i].name.data = ferry_batch_at_(b, b->name_at[i]);
  for (i = 0; i < b->n_rows; ++i) {
    b->records[i].key.data = ferry_batch_at_(b, b->key_at[i]);
    b->records[i].position.data = ferry_batch_at_(b, b->position_at[i]);
  }
  for (i = 0; i < b->n_rows * b->n_fields; ++i)
    if (b->value_at[i]) b->values[i].as.bytes.data = ferry_batch_at_(b, b->value_at[i]);
  memset(&done, 0, sizeof done);
  done.struct_size = (uint32_t)room;
  done.schema.n_fields = b->n_fields;
  done.schema.fields = b->fields;
  done.n_rows = b->n_rows;
  done.values = b->values;
  done.records = b->records;
  done.partition.data = ferry_batch_at_(b, partition_at);
  done.partition.size = partition.size;
  done.end_position.data = ferry_batch_at_(b, end_at);
  done.end_position.size = end_position.size;
  done.release = ferry_batch_release_;
  done.private_data = b;
  memcpy(out, &done, room);
  return FERRY_OK;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FERRY_BATCH_BUILDER_H_ */
