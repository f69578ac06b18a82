#include "position.h"

#include <boost/json.hpp>
#include <charconv>

namespace ferry_mysql {
namespace json = boost::json;
namespace {

constexpr char kHex[] = "0123456789abcdef";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

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
      case CursorValue::Kind::kBytes: {
        std::string hex;
        hex.reserve(v.text.size() * 2);
        for (unsigned char c : v.text) {
          hex += kHex[c >> 4];
          hex += kHex[c & 15];
        }
        a.emplace_back(json::object{{"hex", hex}});
        break;
      }
    }
  }
  return json::serialize(a);
}

std::optional<std::vector<CursorValue>> decode_position(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(text.data(), text.size()), ec);
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
      if (hex.size() % 2 != 0) return std::nullopt;
      for (size_t k = 0; k < hex.size(); k += 2) {
        const int hi = hex_digit(hex[k]);
        const int lo = hex_digit(hex[k + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        v.text += static_cast<char>(hi * 16 + lo);
      }
    } else {
      return std::nullopt;
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace ferry_mysql
