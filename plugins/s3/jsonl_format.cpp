#include <optional>
#include <vector>

#include "row_format.h"
#include "text/json_row.h"

namespace ferry_s3 {

void append_jsonl_rows(std::string& out, const ferry::BatchView& batch, std::string_view op_field,
                       std::vector<RefusedRow>& refused) {
  const ferry::support::JsonRowWriter writer(batch, op_field);
  for (size_t row = 0; row < batch.rows(); ++row)
    if (std::optional<std::string> why = writer.append_row(out, row)) refused.push_back({row, std::move(*why)});
}

}  // namespace ferry_s3
