#include "engine/record_json.h"

#include <cmath>

#include <boost/json.hpp>
#include <ferry/json_text.hpp>

#include "codec/base64.h"

namespace ferry::core {
namespace {

std::string_view sv(FerryBytes b) { return b.size ? std::string_view(b.data, b.size) : std::string_view(); }

boost::json::value to_json(const FerryValue& v) {
  switch (v.type) {
    case FERRY_TYPE_BOOL: return boost::json::value(v.as.boolean != 0);
    case FERRY_TYPE_INT64:
    case FERRY_TYPE_TIMESTAMP: return boost::json::value(v.as.i64);
    case FERRY_TYPE_DOUBLE:
      if (!std::isfinite(v.as.f64)) return boost::json::value(std::isnan(v.as.f64) ? "NaN" : v.as.f64 > 0 ? "Infinity" : "-Infinity");
      return boost::json::value(v.as.f64);
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_DECIMAL: return boost::json::value(boost::json::string(sv(v.as.bytes)));
    case FERRY_TYPE_BYTES: return boost::json::value(support::base64_encode(sv(v.as.bytes)));
    // The text itself, in a string: parsed and printed again, a number
    // beyond double precision, 1.10 or -0 would come back otherwise.
    case FERRY_TYPE_JSON: return boost::json::value(boost::json::string(sv(v.as.bytes)));
    default: return nullptr;
  }
}

}  // namespace

std::string row_to_json(const FerryBatch& b, size_t row) {
  boost::json::array schema;
  boost::json::object values;
  bool has_json = false;
  for (size_t f = 0; f < b.schema.n_fields; ++f) {
    const FerryField& field = b.schema.fields[f];
    std::string name(sv(field.name));
    schema.push_back(boost::json::object{{"name", name}, {"type", type_name(field.type)}});
    values[name] = to_json(b.values[row * b.schema.n_fields + f]);
    has_json = has_json || field.type == FERRY_TYPE_JSON;
  }
  boost::json::object out{{"schema", std::move(schema)}, {"values", std::move(values)}};
  FerryOp op = b.records[row].op;
  if (op != FERRY_OP_INSERT) out["op"] = op == FERRY_OP_DELETE ? "delete" : "update";
  // Records written before held JSON values parsed, in place.
  if (has_json) out[kJsonValuesKey] = kJsonValuesAsText;
  return boost::json::serialize(out);
}

std::string raw_record_json(FerryBytes payload) {
  // JSON strings hold Unicode text: bytes that are not UTF-8 would make the
  // entry invalid JSON (and `dlq export` lines no reader takes), so they go
  // as base64, every byte kept.
  if (ferry::is_valid_utf8(sv(payload)))
    return boost::json::serialize(boost::json::object{{"raw", boost::json::string(sv(payload))}});
  return boost::json::serialize(boost::json::object{{"raw_base64", ferry::support::base64_encode(sv(payload))}});
}

}  // namespace ferry::core
