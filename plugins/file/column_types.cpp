#include "column_types.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "json_text.h"
#include "text/decimal_value.h"
#include "timestamp.h"

namespace ferry_file {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

}  // namespace

std::optional<ColumnType> column_type_from_name(std::string_view name) {
  if (name == "string") return ColumnType::kString;
  if (name == "int64") return ColumnType::kInt64;
  if (name == "double") return ColumnType::kDouble;
  if (name == "bool") return ColumnType::kBool;
  if (name == "timestamp") return ColumnType::kTimestamp;
  if (name == "json") return ColumnType::kJson;
  return std::nullopt;
}

FerryType ferry_type(ColumnType t) {
  switch (t) {
    case ColumnType::kString: return FERRY_TYPE_STRING;
    case ColumnType::kInt64: return FERRY_TYPE_INT64;
    case ColumnType::kDouble: return FERRY_TYPE_DOUBLE;
    case ColumnType::kBool: return FERRY_TYPE_BOOL;
    case ColumnType::kTimestamp: return FERRY_TYPE_TIMESTAMP;
    case ColumnType::kJson: return FERRY_TYPE_JSON;
  }
  return FERRY_TYPE_STRING;
}

const char* column_type_name(ColumnType t) {
  switch (t) {
    case ColumnType::kString: return "string";
    case ColumnType::kInt64: return "int64";
    case ColumnType::kDouble: return "double";
    case ColumnType::kBool: return "bool";
    case ColumnType::kTimestamp: return "timestamp";
    case ColumnType::kJson: return "json";
  }
  return "string";
}

bool convert_text(std::string_view text, ColumnType type, FerryValue* out) {
  *out = FerryValue{};
  const char* b = text.data();
  const char* e = b + text.size();
  switch (type) {
    case ColumnType::kString:
    case ColumnType::kJson:
      if (type == ColumnType::kJson && !is_valid_json(text)) return false;
      out->type = ferry_type(type);
      out->as.bytes = FerryBytes{text.data(), text.size()};
      return true;
    case ColumnType::kInt64: {
      b = ferry::support::without_plus_sign(text).data();
      int64_t v = 0;
      const auto r = std::from_chars(b, e, v);
      if (b == e || r.ec != std::errc() || r.ptr != e) return false;
      out->type = FERRY_TYPE_INT64;
      out->as.i64 = v;
      return true;
    }
    case ColumnType::kDouble: {
      b = ferry::support::without_plus_sign(text).data();
      double v = 0;
      const auto r = std::from_chars(b, e, v);
      if (b == e || r.ec != std::errc() || r.ptr != e) return false;
      // A number the double only rounds to would arrive as another one.
      if (std::isfinite(v) && !ferry::support::double_is_exact(v, text)) return false;
      out->type = FERRY_TYPE_DOUBLE;
      out->as.f64 = v;
      return true;
    }
    case ColumnType::kBool: {
      int v;
      if (iequals(text, "true") || iequals(text, "t") || iequals(text, "yes") || text == "1") {
        v = 1;
      } else if (iequals(text, "false") || iequals(text, "f") || iequals(text, "no") ||
                 text == "0") {
        v = 0;
      } else {
        return false;
      }
      out->type = FERRY_TYPE_BOOL;
      out->as.boolean = v;
      return true;
    }
    case ColumnType::kTimestamp: {
      const std::optional<int64_t> t = parse_timestamp(text);
      if (!t) return false;
      out->type = FERRY_TYPE_TIMESTAMP;
      out->as.i64 = *t;
      return true;
    }
  }
  return false;
}

}  // namespace ferry_file
