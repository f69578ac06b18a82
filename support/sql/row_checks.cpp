#include "sql/row_checks.h"

#include "sql/sql_identifier.h"

namespace ferry::support {

std::optional<std::string> refused_op(FerryOp op, bool upsert) {
  if (op != FERRY_OP_INSERT && op != FERRY_OP_UPDATE && op != FERRY_OP_DELETE)
    return "unknown record op " + std::to_string(op);
  if (op == FERRY_OP_DELETE && !upsert) return std::string("delete not supported in append mode");
  return std::nullopt;
}

std::optional<std::string> null_key(const ferry::BatchView& batch, size_t row, const std::vector<size_t>& key_fields,
                                    char quote) {
  for (size_t k : key_fields)
    if (batch.value(row, k).type == FERRY_TYPE_NULL)
      return "key column " + quote_identifier(batch.field_name(k), quote) + " is null";
  return std::nullopt;
}

}  // namespace ferry::support
