// One row of a batch as a JSON object line (the sink's output). Pure C++.
#ifndef FERRY_PLUGINS_FILE_JSON_ROW_H_
#define FERRY_PLUGINS_FILE_JSON_ROW_H_

#include <ferry/plugin.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/base64.h"

namespace ferry_file {

using ferry::support::append_base64;

// Formats the rows of one batch; field names are escaped once per batch.
class JsonRowWriter {
 public:
  explicit JsonRowWriter(const ferry::BatchView& batch);
  // Appends `{"field":value,...}\n`: INT64 and DOUBLE as numbers, BOOL,
  // STRING as strings, BYTES as base64 strings, TIMESTAMP as
  // "2024-01-02T03:04:05.123456Z", JSON embedded as is, DECIMAL as a
  // string, nulls as null. A row with a value JSON cannot hold (NaN,
  // infinity, text that is not UTF-8, JSON that is not valid) appends
  // nothing: the reason comes back ("field 'x': nan has no JSON form"), for
  // the row to be refused.
  std::optional<std::string> append_row(std::string& out, size_t row) const;

 private:
  ferry::BatchView batch_;
  std::vector<std::string> names_;  // `"name":` ready to append
};

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_JSON_ROW_H_
