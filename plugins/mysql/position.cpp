#include "position.h"

#include <boost/json.hpp>
#include <charconv>

#include <codec/hex.h>
#include "text/json_exact.h"

namespace ferry_mysql {
namespace json = boost::json;

std::string encode_position(const std::vector<CursorValue>& values) {
  // The common single-integer cursor by hand: this runs once per row.
  if (values.size() == 1 && values[0].kind == CursorValue::Kind::kInt) {
    char buf[24] = "[";
    char* end = std::to_chars(buf + 1, buf + sizeof buf - 1, values[0].i).ptr;
    *end++ = ']';
    return std::string(buf, static_cast<size_t>(end - buf));
  }
  json::array a;
  for (const CursorValue& v : values) {
    switch (v.kind) {
      case CursorValue::Kind::kInt:
        a.emplace_back(v.i);
        break;
      case CursorValue::Kind::kUInt:
        a.emplace_back(v.u);
        break;
      case CursorValue::Kind::kDouble:
        a.emplace_back(v.d);
        break;
      case CursorValue::Kind::kText:
        a.emplace_back(json::string_view(v.text.data(), v.text.size()));
        break;
      case CursorValue::Kind::kBytes:
        a.emplace_back(json::object{{"hex", ferry::support::hex_encode(v.text)}});
        break;
    }
  }
  return json::serialize(a);
}

std::optional<std::vector<CursorValue>> decode_position(std::string_view text) {
  boost::system::error_code ec;
  // A double cursor value must come back as the one stored: one step off,
  // the next page would repeat or skip a row.
  json::value root = ferry::support::parse_json_exact(text, ec);
  if (ec || !root.is_array() || root.as_array().empty()) return std::nullopt;
  std::vector<CursorValue> out;
  for (const json::value& item : root.as_array()) {
    CursorValue v;
    if (item.is_int64()) {
      v.kind = CursorValue::Kind::kInt;
      v.i = item.as_int64();
    } else if (item.is_uint64()) {
      v.kind = CursorValue::Kind::kUInt;
      v.u = item.as_uint64();
    } else if (item.is_double()) {
      v.kind = CursorValue::Kind::kDouble;
      v.d = item.as_double();
    } else if (item.is_string()) {
      v.kind = CursorValue::Kind::kText;
      v.text.assign(item.as_string().data(), item.as_string().size());
    } else if (item.is_object() && item.as_object().if_contains("hex") &&
               item.as_object().at("hex").is_string()) {
      v.kind = CursorValue::Kind::kBytes;
      const json::string& hex = item.as_object().at("hex").as_string();
      std::optional<std::string> bytes = ferry::support::hex_decode(std::string_view(hex.data(), hex.size()));
      if (!bytes) return std::nullopt;
      v.text = std::move(*bytes);
    } else {
      return std::nullopt;
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace ferry_mysql
