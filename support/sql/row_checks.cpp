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

std::optional<std::string> narrowed_value(const FerryValue& v, const ColumnLimits& limits, std::string_view field,
                                          char quote) {
  if (v.type == FERRY_TYPE_TIMESTAMP && limits.fraction_digits >= 0 && limits.fraction_digits < 6) {
    int64_t unit = 1;
    for (int d = limits.fraction_digits; d < 6; ++d) unit *= 10;
    if (v.as.i64 % unit != 0)
      return "field " + quote_identifier(field, quote) + " has microseconds that column " +
             quote_identifier(field, quote) + " (" + std::to_string(limits.fraction_digits) +
             " fraction digits) would round or cut";
  }
  if ((v.type == FERRY_TYPE_STRING || v.type == FERRY_TYPE_DECIMAL || v.type == FERRY_TYPE_JSON) &&
      limits.max_chars >= 0 && v.as.bytes.size > static_cast<uint64_t>(limits.max_chars)) {
    int64_t chars = 0;
    for (const char ch : ferry::view(v.as.bytes))
      if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++chars;
    if (chars > limits.max_chars)
      return "field " + quote_identifier(field, quote) + " has " + std::to_string(chars) +
             " characters, more than column " + quote_identifier(field, quote) + " takes (" +
             std::to_string(limits.max_chars) + ")";
  }
  return std::nullopt;
}

}  // namespace ferry::support
