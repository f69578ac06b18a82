#include "engine/record_from_json.h"

#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

#include <boost/json.hpp>

#include "codec/base64.h"
#include "common/error.h"
#include "common/stored_record.h"
#include "engine/record_json.h"
#include "text/json_exact.h"

namespace ferry::core {
namespace {

FerryType parse_type(std::string_view t) {
  if (t == "bool") return FERRY_TYPE_BOOL;
  if (t == "int64") return FERRY_TYPE_INT64;
  if (t == "double") return FERRY_TYPE_DOUBLE;
  if (t == "string") return FERRY_TYPE_STRING;
  if (t == "bytes") return FERRY_TYPE_BYTES;
  if (t == "timestamp") return FERRY_TYPE_TIMESTAMP;
  if (t == "json") return FERRY_TYPE_JSON;
  if (t == "decimal") return FERRY_TYPE_DECIMAL;
  return FERRY_TYPE_NULL;
}

boost::json::object parse_record(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) throw Error("stored record is not a JSON object");
  return std::move(v.as_object());
}

void set_value(ferry::BatchBuilder& b, size_t row, size_t f, FerryType type, const boost::json::value& v,
               bool json_as_text) {
  if (v.is_null()) return;
  switch (type) {
    case FERRY_TYPE_BOOL: b.set_bool(row, f, v.as_bool()); return;
    case FERRY_TYPE_INT64: b.set_int(row, f, v.to_number<int64_t>()); return;
    case FERRY_TYPE_TIMESTAMP: b.set_timestamp(row, f, v.to_number<int64_t>()); return;
    case FERRY_TYPE_DOUBLE:
      if (v.is_string()) {  // non-finite values are stored as names
        std::string_view s = v.as_string();
        b.set_double(row, f, s == "NaN" ? std::numeric_limits<double>::quiet_NaN()
                             : s == "-Infinity" ? -std::numeric_limits<double>::infinity()
                                                : std::numeric_limits<double>::infinity());
        return;
      }
      b.set_double(row, f, v.to_number<double>());
      return;
    case FERRY_TYPE_BYTES: {
      // A damaged value is reported, never decoded into other bytes.
      std::optional<std::string> bytes = support::base64_decode(v.as_string());
      if (!bytes) throw std::runtime_error("a BYTES value is not base64");
      b.set_bytes(row, f, FERRY_TYPE_BYTES, *bytes);
      return;
    }
    case FERRY_TYPE_JSON:
      if (json_as_text) b.set_bytes(row, f, FERRY_TYPE_JSON, v.as_string());
      else b.set_bytes(row, f, FERRY_TYPE_JSON, boost::json::serialize(v));
      return;
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_DECIMAL: b.set_bytes(row, f, type, v.as_string()); return;
    default: return;
  }
}

}  // namespace

std::string schema_signature(const std::string& record_json) {
  // The schema's text is the signature (replay reads many records).
  constexpr size_t kArrayStart = sizeof("{\"schema\":") - 1;
  if (const size_t end = stored_schema_end(record_json); end != std::string::npos)
    return record_json.substr(kArrayStart, end - kArrayStart);
  try {
    boost::json::object o = parse_record(record_json);
    auto it = o.find("schema");
    if (it == o.end() || !it->value().is_array()) return {};
    return boost::json::serialize(it->value());
  } catch (const Error&) {
    return {};
  }
}

namespace {

// The position is the DLQ entry's id and attempt ("17.2"): name the entry
// that is damaged.
Error damaged(const StoredRecord& record, const std::string& why) {
  const std::string id = record.position.substr(0, record.position.find('.'));
  return Error("DLQ entry " + id + ": its stored record cannot be read back: " + why);
}

}  // namespace

void build_batch(const std::vector<StoredRecord>& records, const std::string& partition,
                 const std::string& end_position, FerryBatch* out) {
  ferry::BatchBuilder b;
  std::vector<std::pair<std::string, FerryType>> fields;
  // One parser for the batch, each record's tree in a buffer on the stack
  // (growing onto the heap only for a large record): a replay parses every
  // record it delivers, and a tree of small allocations freed one by one
  // cost more than the parse.
  boost::json::stream_parser parser;
  // The schema every record repeats is parsed once: the first record's
  // text up to the end of its schema; a later record that starts with the
  // same text is parsed from its values on.
  std::string_view schema_text;
  bool has_doubles = false;
  std::vector<std::string> number_texts;
  for (size_t i = 0; i < records.size(); ++i) {
    try {
      unsigned char buffer[4096];
      boost::json::monotonic_resource arena(buffer, sizeof buffer);
      parser.reset(&arena);
      boost::system::error_code ec;
      const std::string_view text = records[i].record_json;
      if (i == 0) {
        if (const size_t end = stored_schema_end(text); end != std::string_view::npos) schema_text = text.substr(0, end);
      }
      const bool same_schema = i > 0 && !schema_text.empty() && text.size() > schema_text.size() &&
                               text.compare(0, schema_text.size(), schema_text) == 0 &&
                               text[schema_text.size()] == ',';
      if (same_schema) {
        parser.write("{", 1, ec);
        if (!ec) parser.write(text.data() + schema_text.size() + 1, text.size() - schema_text.size() - 1, ec);
      } else {
        parser.write(text.data(), text.size(), ec);
      }
      if (!ec) parser.finish(ec);
      if (ec) throw Error("stored record is not a JSON object");
      boost::json::value v = parser.release();
      if (!v.is_object()) throw Error("stored record is not a JSON object");
      const boost::json::object& o = v.as_object();
      if (i == 0) {
        for (const auto& f : o.at("schema").as_array()) {
          std::string name(f.at("name").as_string());
          FerryType t = parse_type(f.at("type").as_string());
          fields.emplace_back(name, t);
          b.add_field(name, t);
          has_doubles = has_doubles || t == FERRY_TYPE_DOUBLE;
        }
      }
      // Boost.JSON reads some doubles one step off: each is read again from
      // its text (the schema holds no numbers, so the texts line up with
      // the values whether or not the schema was parsed).
      if (has_doubles && support::json_any_scalar(v, [](const boost::json::value& x) { return x.is_double(); })) {
        std::string why;
        if (!support::json_number_texts(text, number_texts, &why) || !support::make_doubles_exact(v, number_texts))
          throw Error("its numbers cannot be read back exactly" + (why.empty() ? std::string() : ": " + why));
      }
      FerryOp op = FERRY_OP_INSERT;
      if (auto it = o.find("op"); it != o.end())
        op = it->value().as_string() == "delete" ? FERRY_OP_DELETE : FERRY_OP_UPDATE;
      size_t row = b.add_row(records[i].key, records[i].position, op);
      const boost::json::object& values = o.at("values").as_object();
      const auto marker = o.find(kJsonValuesKey);
      const bool json_as_text =
          marker != o.end() && marker->value().is_string() && marker->value().as_string() == kJsonValuesAsText;
      for (size_t f = 0; f < fields.size(); ++f)
        if (auto it = values.find(fields[f].first); it != values.end())
          set_value(b, row, f, fields[f].second, it->value(), json_as_text);
    } catch (const boost::system::system_error& e) {
      // Boost.JSON's what() adds its own source location: the code says it all.
      throw damaged(records[i], e.code().message());
    } catch (const std::exception& e) {
      throw damaged(records[i], e.what());
    }
  }
  b.finish(out, partition, end_position);
}

}  // namespace ferry::core
