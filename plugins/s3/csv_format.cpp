#include "row_format.h"
#include "text/json_row.h"
#include "value_text.h"

namespace ferry_s3 {
namespace {

void append_field(std::string& out, std::string_view text) {
  if (text.empty()) {
    out += "\"\"";  // an empty string, not a null
    return;
  }
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

void append_csv_header(std::string& out, const ferry::BatchView& batch, std::string_view op_field) {
  if (!op_field.empty()) {
    append_field(out, op_field);
    if (batch.fields() > 0) out += ',';
  }
  for (size_t f = 0; f < batch.fields(); ++f) {
    if (f > 0) out += ',';
    append_field(out, batch.field_name(f));
  }
  out += "\r\n";
}

void append_csv_rows(std::string& out, const ferry::BatchView& batch, std::string_view op_field,
                     std::vector<RefusedRow>& refused) {
  std::string scratch;
  for (size_t row = 0; row < batch.rows(); ++row) {
    const FerryOp op = batch.meta(row).op;
    if (op_field.empty() && op == FERRY_OP_DELETE) {
      refused.push_back({row, ferry::support::delete_without_op_field()});
      continue;
    }
    if (!op_field.empty()) {
      out += ferry::support::op_name(op);
      if (batch.fields() > 0) out += ',';
    }
    for (size_t f = 0; f < batch.fields(); ++f) {
      if (f > 0) out += ',';
      const FerryValue& v = batch.value(row, f);
      const std::string_view text = ferry::view(v.as.bytes);
      switch (v.type) {
        case FERRY_TYPE_BOOL: out += v.as.boolean ? "true" : "false"; break;
        case FERRY_TYPE_INT64: append_int(out, v.as.i64); break;
        case FERRY_TYPE_DOUBLE:
          if (v.as.f64 != v.as.f64) out += "NaN";
          else append_double(out, v.as.f64, v.as.f64 > 0 ? "Infinity" : "-Infinity");
          break;
        case FERRY_TYPE_TIMESTAMP: append_timestamp(out, v.as.i64); break;
        case FERRY_TYPE_BYTES:
          scratch.clear();
          append_base64(scratch, text);
          append_field(out, scratch);
          break;
        case FERRY_TYPE_JSON:
          scratch.clear();
          if (!append_json_line(scratch, text)) scratch.assign(text);
          append_field(out, scratch);
          break;
        case FERRY_TYPE_STRING:
        case FERRY_TYPE_DECIMAL: append_field(out, text); break;
        default: break;  // NULL (and newer types): an empty field
      }
    }
    out += "\r\n";
  }
}

}  // namespace ferry_s3
