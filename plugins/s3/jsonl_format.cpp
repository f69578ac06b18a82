#include <vector>

#include "row_format.h"
#include "value_text.h"

namespace ferry_s3 {

void append_jsonl_rows(std::string& out, const ferry::BatchView& batch) {
  // Field names escaped once per batch, not once per value.
  std::vector<std::string> names(batch.fields());
  for (size_t f = 0; f < batch.fields(); ++f) {
    append_json_string(names[f], batch.field_name(f));
    names[f] += ':';
  }
  for (size_t row = 0; row < batch.rows(); ++row) {
    out += '{';
    for (size_t f = 0; f < names.size(); ++f) {
      if (f > 0) out += ',';
      out += names[f];
      const FerryValue& v = batch.value(row, f);
      const std::string_view text = ferry::view(v.as.bytes);
      switch (v.type) {
        case FERRY_TYPE_BOOL: out += v.as.boolean ? "true" : "false"; break;
        case FERRY_TYPE_INT64: append_int(out, v.as.i64); break;
        case FERRY_TYPE_DOUBLE: append_double(out, v.as.f64, "null"); break;
        case FERRY_TYPE_STRING:
        case FERRY_TYPE_DECIMAL: append_json_string(out, text); break;
        case FERRY_TYPE_BYTES:
          out += '"';
          append_base64(out, text);
          out += '"';
          break;
        case FERRY_TYPE_TIMESTAMP:
          out += '"';
          append_timestamp(out, v.as.i64);
          out += '"';
          break;
        case FERRY_TYPE_JSON:
          if (!append_json_value(out, text)) append_json_string(out, text);
          break;
        default: out += "null"; break;  // NULL, and types newer than this plugin
      }
    }
    out += "}\n";
  }
}

}  // namespace ferry_s3
