#include "value_text.h"

#include <ferry/json_text.hpp>
#include <ferry/plugin.hpp>

#include "timestamp.h"

namespace ferry_map {

std::string text_of(const FerryValue& v, std::string& out) {
  switch (v.type) {
    case FERRY_TYPE_BOOL:
      out = v.as.boolean ? "true" : "false";
      return {};
    case FERRY_TYPE_INT64:
      out = std::to_string(v.as.i64);
      return {};
    case FERRY_TYPE_DOUBLE:
      out = double_text(v.as.f64);
      return {};
    case FERRY_TYPE_TIMESTAMP:
      out = format_timestamp(v.as.i64);
      return {};
    case FERRY_TYPE_BYTES:
      if (!ferry::is_valid_utf8(ferry::view(v.as.bytes))) return "bytes are not valid UTF-8";
      out = std::string(ferry::view(v.as.bytes));
      return {};
    case FERRY_TYPE_STRING:
    case FERRY_TYPE_JSON:
    case FERRY_TYPE_DECIMAL:
      out = std::string(ferry::view(v.as.bytes));
      return {};
    default:
      return std::string(type_name(v.type)) + " has no text";
  }
}

}  // namespace ferry_map
