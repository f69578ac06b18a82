// Rows (id INT64, v STRING) for the SQL sinks' transaction tests: id from
// `from` to `to`, v "v<id>", key and position the id.
#pragma once

#include <string>
#include <vector>

#include "support/plugin_harness.h"

namespace ferry::test {

inline const std::vector<Column>& id_value_columns() {
  static const std::vector<Column> cols = {{"id", FERRY_TYPE_INT64, 0}, {"v", FERRY_TYPE_STRING, 0}};
  return cols;
}

inline std::vector<Row> id_value_rows(int64_t from, int64_t to) {
  std::vector<Row> out;
  for (int64_t id = from; id <= to; ++id)
    out.push_back(Row{{Value::int64(id), Value::string("v" + std::to_string(id))}, std::to_string(id),
                      std::to_string(id), FERRY_OP_INSERT});
  return out;
}

}  // namespace ferry::test
