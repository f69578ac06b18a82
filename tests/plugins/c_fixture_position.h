/* What the C fixture sources share: a position is a row's decimal id, and
 * a source resumes at the row after it. */
#ifndef FERRY_TESTS_C_FIXTURE_POSITION_H
#define FERRY_TESTS_C_FIXTURE_POSITION_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

/* The id of the row after `position` (NULL: from the start, row 1). */
static int64_t fixture_row_after(const FerryBytes* position) {
  char digits[24] = {0};
  if (!position || position->size >= sizeof digits) return 1;
  memcpy(digits, position->data, position->size);
  return (int64_t)atoll(digits) + 1;
}

#endif
