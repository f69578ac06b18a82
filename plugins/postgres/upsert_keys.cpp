#include "upsert_keys.h"

#include <algorithm>
#include <cstdint>

namespace ferry_pg {

bool integer_keys_ascend(const ferry::BatchView& batch, const std::vector<size_t>& key_fields,
                         const std::vector<bool>& integer_columns, const std::vector<size_t>& rows) {
  if (key_fields.empty() || integer_columns.size() != key_fields.size()) return false;
  if (std::find(integer_columns.begin(), integer_columns.end(), false) != integer_columns.end()) return false;
  for (size_t i = 0; i < rows.size(); ++i) {
    bool decided = i == 0;  // the first row has nothing to follow
    for (size_t f : key_fields) {
      const FerryValue& v = batch.value(rows[i], f);
      if (v.type != FERRY_TYPE_INT64) return false;
      if (decided) continue;
      const int64_t before = batch.value(rows[i - 1], f).as.i64;
      if (before > v.as.i64) return false;
      decided = before < v.as.i64;
    }
    if (!decided) return false;  // the same key as the row before
  }
  return true;
}

}  // namespace ferry_pg
