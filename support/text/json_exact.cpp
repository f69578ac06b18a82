#include "text/json_exact.h"

#include <boost/json/basic_parser_impl.hpp>

#include <charconv>
#include <cstdlib>
#include <optional>
#include <set>

#include "text/json_line.h"

namespace ferry::support {
namespace {

// A basic_parser handler that keeps number texts and checks for repeated
// keys; everything else is only validated.
struct NumberCollector : JsonValidator {
  std::vector<std::string>* texts;
  std::string part;
  std::string key;
  std::vector<std::set<std::string>> keys;  // per open object
  std::optional<std::string> duplicate;     // "" is a key too

  explicit NumberCollector(std::vector<std::string>* t) : texts(t) {}

  bool number(boost::json::string_view s) {
    part.append(s.data(), s.size());
    texts->push_back(std::move(part));
    part.clear();
    return true;
  }
  bool on_object_begin(boost::system::error_code&) {
    keys.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, boost::system::error_code&) {
    keys.pop_back();
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::system::error_code& ec) {
    key.append(s.data(), s.size());
    if (!keys.back().insert(key).second) {
      duplicate = key;
      ec = boost::json::error::syntax;
      return false;
    }
    key.clear();
    return true;
  }
  bool on_number_part(boost::json::string_view s, boost::system::error_code&) {
    part.append(s.data(), s.size());
    return true;
  }
  bool on_int64(int64_t, boost::json::string_view s, boost::system::error_code&) { return number(s); }
  bool on_uint64(uint64_t, boost::json::string_view s, boost::system::error_code&) { return number(s); }
  bool on_double(double, boost::json::string_view s, boost::system::error_code&) { return number(s); }
};

void set_doubles(boost::json::value& v, const std::vector<std::string>& texts, size_t* next) {
  switch (v.kind()) {
    case boost::json::kind::int64:
    case boost::json::kind::uint64: ++*next; return;
    case boost::json::kind::double_: v = nearest_double(texts[(*next)++]); return;
    case boost::json::kind::array:
      for (boost::json::value& e : v.get_array()) set_doubles(e, texts, next);
      return;
    case boost::json::kind::object:
      for (boost::json::key_value_pair& kv : v.get_object()) set_doubles(kv.value(), texts, next);
      return;
    default: return;
  }
}

}  // namespace

size_t json_number_count(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return 1;
    case boost::json::kind::array: {
      size_t n = 0;
      for (const boost::json::value& e : v.get_array()) n += json_number_count(e);
      return n;
    }
    case boost::json::kind::object: {
      size_t n = 0;
      for (const boost::json::key_value_pair& kv : v.get_object()) n += json_number_count(kv.value());
      return n;
    }
    default: return 0;
  }
}

bool json_number_texts(std::string_view json, std::vector<std::string>& texts, std::string* error,
                       const boost::json::parse_options& options) {
  texts.clear();
  boost::json::basic_parser<NumberCollector> p(options, &texts);
  boost::system::error_code ec;
  p.write_some(false, json.data(), json.size(), ec);
  if (p.handler().duplicate) {
    *error = "the key \"" + *p.handler().duplicate + "\" appears twice in one object";
    return false;
  }
  if (ec) {
    *error = "invalid JSON: " + ec.message();
    return false;
  }
  return true;
}

std::optional<std::string> json_repeated_key(std::string_view json) {
  std::vector<std::string> texts;
  boost::json::parse_options deep;
  deep.max_depth = 100000;  // the servers' own limits are far beyond Boost's default of 32
  boost::json::basic_parser<NumberCollector> p(deep, &texts);
  boost::system::error_code ec;
  p.write_some(false, json.data(), json.size(), ec);
  return p.handler().duplicate;
}

double nearest_double(std::string_view text) {
  double d = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec == std::errc() && end == text.data() + text.size()) return d;
  // Out of range: strtod says which way (infinity or zero, signed). JSON
  // number text has no locale-dependent part, and Ferry keeps the C locale.
  const std::string copy(text);
  return std::strtod(copy.c_str(), nullptr);
}

bool make_doubles_exact(boost::json::value& v, const std::vector<std::string>& texts) {
  if (json_number_count(v) != texts.size()) return false;
  size_t next = 0;
  set_doubles(v, texts, &next);
  return true;
}

boost::json::value parse_json_exact(std::string_view text, boost::system::error_code& ec,
                                    const boost::json::parse_options& options) {
  boost::json::value v = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec, {}, options);
  if (ec || !json_any_scalar(v, [](const boost::json::value& x) { return x.is_double(); })) return v;
  std::vector<std::string> texts;
  std::string error;
  if (!json_number_texts(text, texts, &error, options) || !make_doubles_exact(v, texts)) {
    ec = boost::json::error::syntax;
    return nullptr;
  }
  return v;
}

}  // namespace ferry::support
