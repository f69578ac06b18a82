#include "json_text.h"

#include <vector>

#include <charconv>
#include <cmath>

#include "utf8.h"

namespace ferry_file {

void append_int(std::string& out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_double(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_json_exact(std::string& out, const boost::json::value& v, const std::vector<std::string>& texts,
                       size_t* next) {
  switch (v.kind()) {
    case boost::json::kind::null: out += "null"; return;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; return;
    case boost::json::kind::string: append_json_string(out, v.get_string()); return;
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      // The number as the line wrote it, when its text is known.
      if (*next < texts.size()) {
        out += texts[(*next)++];
      } else if (v.is_int64()) {
        append_int(out, v.get_int64());
      } else if (v.is_uint64()) {
        char buf[24];
        const auto r = std::to_chars(buf, buf + sizeof buf, v.get_uint64());
        out.append(buf, r.ptr);
      } else {
        append_double(out, v.get_double());
      }
      return;
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const boost::json::value& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        append_json_exact(out, e, texts, next);
      }
      out.push_back(']');
      return;
    }
    case boost::json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const boost::json::key_value_pair& kv : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, kv.key());
        out.push_back(':');
        append_json_exact(out, kv.value(), texts, next);
      }
      out.push_back('}');
      return;
    }
  }
}

void append_json(std::string& out, const boost::json::value& v) {
  static const std::vector<std::string> kNoTexts;
  size_t next = 0;
  append_json_exact(out, v, kNoTexts, &next);
}

}  // namespace ferry_file
