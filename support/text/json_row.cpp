#include "text/json_row.h"

#include <charconv>
#include <cmath>

#include <ferry/json_text.hpp>

#include "codec/base64.h"
#include "text/json_line.h"
#include "text/value_text.h"
#include "time/timestamp_text.h"

namespace ferry::support {
namespace {

template <typename T>
void append_number(std::string& out, T v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

const char* op_name(FerryOp op) {
  switch (op) {
    case FERRY_OP_UPDATE: return "update";
    case FERRY_OP_DELETE: return "delete";
    default: return "insert";
  }
}

std::string delete_without_op_field() {
  return "a delete cannot be written as a row; set the sink's op_field to write change events with their "
         "operation";
}

std::optional<std::string> op_field_clash(const ferry::BatchView& batch, std::string_view op_field) {
  if (op_field.empty()) return std::nullopt;
  for (size_t f = 0; f < batch.fields(); ++f)
    if (batch.field_name(f) == op_field)
      return "the record has a field '" + std::string(op_field) +
             "', the name op_field gives its operation; rename the field (map transform) or set another op_field";
  return std::nullopt;
}

JsonRowWriter::JsonRowWriter(const ferry::BatchView& batch, std::string_view op_field) : batch_(batch) {
  if (!op_field.empty()) {
    ferry::append_json_string(op_name_, op_field);
    op_name_.push_back(':');
  }
  names_.reserve(batch.fields());
  for (size_t f = 0; f < batch.fields(); ++f) {
    std::string name;
    ferry::append_json_string(name, batch.field_name(f));
    name.push_back(':');
    names_.push_back(std::move(name));
  }
}

std::optional<std::string> JsonRowWriter::append_row(std::string& out, size_t row) const {
  const size_t start = out.size();
  const auto refuse = [&](size_t f, const std::string& why) {
    out.resize(start);
    return "field '" + std::string(batch_.field_name(f)) + "': " + why;
  };
  const FerryOp op = batch_.meta(row).op;
  if (op_name_.empty() && op == FERRY_OP_DELETE) return delete_without_op_field();
  out.push_back('{');
  if (!op_name_.empty()) {
    out += op_name_;
    out.push_back('"');
    out += op_name(op);
    out.push_back('"');
    if (!names_.empty()) out.push_back(',');
  }
  for (size_t f = 0; f < names_.size(); ++f) {
    if (f > 0) out.push_back(',');
    out += names_[f];
    const FerryValue& v = batch_.value(row, f);
    const std::string_view text = ferry::view(v.as.bytes);
    switch (v.type) {
      case FERRY_TYPE_BOOL: out += v.as.boolean ? "true" : "false"; break;
      case FERRY_TYPE_INT64: append_number(out, v.as.i64); break;
      case FERRY_TYPE_DOUBLE:
        if (!std::isfinite(v.as.f64)) return refuse(f, double_text(v.as.f64) + " has no JSON form");
        append_number(out, v.as.f64);
        break;
      case FERRY_TYPE_STRING:
      case FERRY_TYPE_DECIMAL:
        if (!ferry::is_valid_utf8(text)) return refuse(f, "the text is not valid UTF-8");
        ferry::append_json_string(out, text);
        break;
      case FERRY_TYPE_BYTES:
        out.push_back('"');
        append_base64(out, text);
        out.push_back('"');
        break;
      case FERRY_TYPE_TIMESTAMP:
        out.push_back('"');
        append_iso_timestamp(out, v.as.i64);
        out.push_back('"');
        break;
      case FERRY_TYPE_JSON:
        if (!append_json_line(out, text)) return refuse(f, "the value is not valid JSON");
        break;
      default: out += "null"; break;  // NULL, and types newer than this plugin
    }
  }
  out += "}\n";
  return std::nullopt;
}

}  // namespace ferry::support
