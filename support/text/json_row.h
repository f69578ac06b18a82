// One row of a batch as a JSON object line, the one rendering of the JSON
// Lines sinks (file, s3): INT64 and DOUBLE as numbers, BOOL, STRING and
// DECIMAL as strings (a decimal stays exact), BYTES as base64 strings,
// TIMESTAMP as "2024-01-02T03:04:05.123456Z", JSON embedded on one line
// (json_line.h), nulls as null.
#pragma once

#include <ferry/plugin.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ferry::support {

// A record's operation as a change event names it: "insert", "update",
// "delete".
const char* op_name(FerryOp op);
// Why a row-writing sink refuses a delete it was not told to write as a
// change event (a row cannot say that it is gone).
std::string delete_without_op_field();

// Why a batch cannot be written as change events under `op_field`: a field
// of that name would stand twice in each line or header, and a reader
// would keep either the operation or the value. None when `op_field` is
// empty or no field has its name.
std::optional<std::string> op_field_clash(const ferry::BatchView& batch, std::string_view op_field);

// Formats the rows of one batch; field names are escaped once per batch.
class JsonRowWriter {
 public:
  // `op_field`, when not empty, starts each line with the record's
  // operation under that name: `{"_op":"delete","id":42,...}`.
  explicit JsonRowWriter(const ferry::BatchView& batch, std::string_view op_field = {});
  // Appends `{"field":value,...}\n`. A row with a value JSON cannot hold
  // (NaN, infinity, text that is not UTF-8, JSON that is not valid), or a
  // delete without an op field, appends nothing: the reason comes back
  // ("field 'x': nan has no JSON form"), for the row to be refused.
  std::optional<std::string> append_row(std::string& out, size_t row) const;

 private:
  ferry::BatchView batch_;
  std::string op_name_;             // `"_op":` ready to append; empty: none
  std::vector<std::string> names_;  // `"name":` ready to append
};

}  // namespace ferry::support
