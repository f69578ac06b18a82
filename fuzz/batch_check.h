// What every batch a file parser builds must be, for every input: the rows
// added to it, each value null or of its field's type, strings UTF-8, JSON
// values and keys of several fields valid JSON, DECIMAL values plain
// decimals. Shared by the CSV and JSONL fuzzers.
#ifndef FERRY_FUZZ_BATCH_CHECK_H_
#define FERRY_FUZZ_BATCH_CHECK_H_

#include <ferry/plugin.hpp>

#include <cstddef>
#include <string_view>

#include "fuzz_check.h"
#include "json_text.h"
#include "utf8.h"

namespace ferry_fuzz {

inline bool is_plain_decimal(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  const size_t digits = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == digits) return false;
  if (i == s.size()) return true;
  if (s[i] != '.') return false;
  ++i;
  const size_t fraction = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i > fraction && i == s.size();
}

inline void check_batch(const FerryBatch& b, size_t rows, size_t key_fields) {
  ferry::BatchView v(&b);
  FUZZ_CHECK(v.rows() == rows, "a batch holds the rows added to it");
  for (size_t r = 0; r < v.rows(); ++r) {
    for (size_t f = 0; f < v.fields(); ++f) {
      const FerryValue& x = v.value(r, f);
      FUZZ_CHECK(x.type == FERRY_TYPE_NULL || x.type == v.field(f).type, "a value is null or of its field's type");
      if (x.type == FERRY_TYPE_STRING)
        FUZZ_CHECK(ferry_file::is_valid_utf8(ferry::view(x.as.bytes)), "a string is UTF-8");
      if (x.type == FERRY_TYPE_JSON)
        FUZZ_CHECK(ferry_file::is_valid_json(ferry::view(x.as.bytes)), "a JSON value is valid JSON");
      if (x.type == FERRY_TYPE_DECIMAL)
        FUZZ_CHECK(is_plain_decimal(ferry::view(x.as.bytes)), "a DECIMAL value is a plain decimal");
    }
    if (key_fields > 1) FUZZ_CHECK(ferry_file::is_valid_json(v.key(r)), "a key of several fields is a JSON array");
  }
}

}  // namespace ferry_fuzz

#endif  // FERRY_FUZZ_BATCH_CHECK_H_
