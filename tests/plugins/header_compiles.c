/* Compiled as C89 and C99 with -pedantic -Werror: the ABI header and the C
 * helpers (batch builder, staged file) are plain C. */
#define _POSIX_C_SOURCE 200809L /* staged_file.h: fileno, fsync */
#include <ferry/batch_builder.h>
#include <ferry/plugin.h>
#include <ferry/staged_file.h>

int ferry_header_compiles(void);
int ferry_header_compiles(void) {
  FerryBatch batch;
  FerryValue value;
  batch.struct_size = sizeof batch;
  value.type = FERRY_TYPE_INT64;
  value.as.i64 = 42;
  return (int)(batch.struct_size + (uint32_t)value.as.i64) > 0 ? FERRY_OK : FERRY_ERROR_INTERNAL;
}
