#include "document.h"

#include <boost/json.hpp>
#include <cmath>

#include "text/json_line.h"
#include "text/value_text.h"

#include "json_text.h"

namespace ferry_es {
namespace {

std::string field_label(const ferry::BatchView& batch, size_t f) {
  const std::string_view name = batch.field_name(f);
  return is_valid_utf8(name) ? "field '" + std::string(name) + "'" : "field #" + std::to_string(f);
}

}  // namespace

DocumentEncoder::DocumentEncoder(const ferry::BatchView& batch, const Options& opts)
    : batch_(batch), action_(opts.action) {
  keys_.reserve(batch.fields());
  for (size_t f = 0; f < batch.fields(); ++f) {
    std::string key;
    if (append_json_string(key, batch.field_name(f))) key += ':';
    else key.clear();
    keys_.push_back(std::move(key));
    if (!opts.id_field.empty() && batch.field_name(f) == opts.id_field) id_field_ = f;
  }
}

bool DocumentEncoder::id_of(size_t row, std::string& id, std::string& error) const {
  id.clear();
  if (id_field_) {
    const FerryValue& v = batch_.value(row, *id_field_);
    switch (v.type) {
      case FERRY_TYPE_NULL:
        // Without an _id Elasticsearch makes one up, and a re-delivery adds a copy.
        error = "the id field '" + std::string(batch_.field_name(*id_field_)) +
                "' is null, so the record has no document id";
        return false;
      case FERRY_TYPE_INT64:
        append_json_int(id, v.as.i64);
        break;
      case FERRY_TYPE_STRING:
      case FERRY_TYPE_DECIMAL:
        id.assign(ferry::view(v.as.bytes));
        break;
      default:
        error = "the id field holds a value that is not a string or an integer";
        return false;
    }
    if (id.empty()) {
      error = "the id field '" + std::string(batch_.field_name(*id_field_)) +
              "' is empty, so the record has no document id";
      return false;
    }
  } else {
    id.assign(batch_.key(row));
  }
  const bool is_delete = batch_.meta(row).op == FERRY_OP_DELETE;
  if (id.empty()) {
    if (is_delete) {
      error = "a delete record needs a document id (record key), and this one has none";
      return false;
    }
    if (action_ == Action::kUpdate) {
      error = "action \"update\" needs a document id (record key), and this record has none";
      return false;
    }
    return true;
  }
  if (id.size() > kMaxIdBytes) {
    error = "document id is " + std::to_string(id.size()) +
            " bytes long; Elasticsearch allows at most 512";
    return false;
  }
  if (!is_valid_utf8(id)) {
    error = "document id (record key) is not valid UTF-8 text";
    return false;
  }
  return true;
}

bool DocumentEncoder::append(size_t row, const std::string& id, std::string& out,
                             std::string& error) const {
  const size_t start = out.size();
  const bool is_delete = batch_.meta(row).op == FERRY_OP_DELETE;
  const std::string_view action = is_delete ? "delete" : action_name(action_);
  out += "{\"";
  out += action;
  out += "\":{";
  if (!id.empty()) {
    out += "\"_id\":";
    append_json_string(out, id);  // checked in id_of
  }
  out += "}}\n";
  if (is_delete) return true;

  if (action_ == Action::kUpdate) out += "{\"doc\":";
  if (!append_source(row, out, error)) {
    out.resize(start);
    return false;
  }
  if (action_ == Action::kUpdate) out += ",\"doc_as_upsert\":true}";
  out += '\n';
  return true;
}

bool DocumentEncoder::append_source(size_t row, std::string& out, std::string& error) const {
  out += '{';
  for (size_t f = 0; f < batch_.fields(); ++f) {
    if (keys_[f].empty()) {
      error = field_label(batch_, f) + ": the field name is not valid UTF-8";
      return false;
    }
    if (f > 0) out += ',';
    out += keys_[f];
    const FerryValue& v = batch_.value(row, f);
    switch (v.type) {
      case FERRY_TYPE_NULL:
        out += "null";
        break;
      case FERRY_TYPE_BOOL:
        out += v.as.boolean ? "true" : "false";
        break;
      case FERRY_TYPE_INT64:
        append_json_int(out, v.as.i64);
        break;
      case FERRY_TYPE_DOUBLE:
        if (!std::isfinite(v.as.f64)) {
          error = field_label(batch_, f) + ": " + ferry::support::double_text(v.as.f64) + " has no JSON form";
          return false;
        }
        append_json_double(out, v.as.f64);
        break;
      case FERRY_TYPE_TIMESTAMP:
        append_iso8601_micros(out, v.as.i64);
        break;
      case FERRY_TYPE_STRING:
      case FERRY_TYPE_DECIMAL:
        if (!append_json_string(out, ferry::view(v.as.bytes))) {
          error = field_label(batch_, f) + ": the text is not valid UTF-8";
          return false;
        }
        break;
      case FERRY_TYPE_BYTES:
        out += '"';
        append_base64(out, ferry::view(v.as.bytes));
        out += '"';
        break;
      case FERRY_TYPE_JSON:
        if (!ferry::support::append_json_line(out, ferry::view(v.as.bytes))) {
          error = field_label(batch_, f) + ": the value is not valid JSON";
          return false;
        }
        break;
      default:
        error = field_label(batch_, f) + ": unknown value type " + std::to_string(v.type);
        return false;
    }
  }
  out += '}';
  return true;
}

}  // namespace ferry_es
