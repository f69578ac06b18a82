#include <cmath>
#include <vector>

#include "row_format.h"
#include "text/value_text.h"
#include "value_text.h"

namespace ferry_s3 {

void append_jsonl_rows(std::string& out, const ferry::BatchView& batch, std::vector<RefusedRow>& refused) {
  // Field names escaped once per batch, not once per value.
  std::vector<std::string> names(batch.fields());
  for (size_t f = 0; f < batch.fields(); ++f) {
    append_json_string(names[f], batch.field_name(f));
    names[f] += ':';
  }
  for (size_t row = 0; row < batch.rows(); ++row) {
    const size_t start = out.size();
    std::string why;
    out += '{';
    for (size_t f = 0; f < names.size() && why.empty(); ++f) {
      if (f > 0) out += ',';
      out += names[f];
      const FerryValue& v = batch.value(row, f);
      const std::string_view text = ferry::view(v.as.bytes);
      switch (v.type) {
        case FERRY_TYPE_BOOL: out += v.as.boolean ? "true" : "false"; break;
        case FERRY_TYPE_INT64: append_int(out, v.as.i64); break;
        case FERRY_TYPE_DOUBLE:
          if (!std::isfinite(v.as.f64)) {
            why = "field '" + std::string(batch.field_name(f)) + "': " + ferry::support::double_text(v.as.f64) +
                  " has no JSON form";
            break;
          }
          append_double(out, v.as.f64, "null");
          break;
        case FERRY_TYPE_STRING:
        case FERRY_TYPE_DECIMAL:
          if (!ferry::is_valid_utf8(text)) {
            why = "field '" + std::string(batch.field_name(f)) + "': the text is not valid UTF-8";
            break;
          }
          append_json_string(out, text);
          break;
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
          if (!append_json_line(out, text)) why = "field '" + std::string(batch.field_name(f)) + "': the value is not valid JSON";
          break;
        default: out += "null"; break;  // NULL, and types newer than this plugin
      }
    }
    if (!why.empty()) {
      out.resize(start);
      refused.push_back({row, std::move(why)});
      continue;
    }
    out += "}\n";
  }
}

}  // namespace ferry_s3
