#include "json_text.h"

#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parser.hpp>

#include <charconv>
#include <cmath>
#include <optional>

#include "utf8.h"

namespace ferry_file {
namespace {

// Parses `text` into `mr` (the value dies with it); null when invalid.
std::optional<boost::json::value> parse_in(std::string_view text,
                                           boost::json::monotonic_resource& mr) {
  unsigned char stack[1024];
  boost::json::parser p(boost::json::storage_ptr(), boost::json::parse_options(), stack,
                        sizeof stack);
  p.reset(&mr);
  boost::system::error_code ec;
  p.write(text.data(), text.size(), ec);
  if (ec) return std::nullopt;
  return p.release();
}

}  // namespace

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

bool append_raw_json(std::string& out, std::string_view text) {
  unsigned char buf[4096];
  boost::json::monotonic_resource mr(buf, sizeof buf);
  const std::optional<boost::json::value> v = parse_in(text, mr);
  if (!v) return false;
  // A line break inside would split a JSONL line: re-emit compact.
  if (text.find_first_of("\r\n") != std::string_view::npos) {
    append_json(out, *v);
    return true;
  }
  out.append(text);
  return true;
}

bool is_valid_json(std::string_view text) {
  // The same options, and so the same verdict, as parse_in's parser.
  boost::json::basic_parser<JsonValidator> p(boost::json::parse_options{});
  boost::system::error_code ec;
  const std::size_t used = p.write_some(false, text.data(), text.size(), ec);
  return !ec && used == text.size();
}

}  // namespace ferry_file
