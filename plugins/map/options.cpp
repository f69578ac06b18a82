#include "options.h"

#include <algorithm>
#include <boost/json.hpp>
#include <ferry/plugin.hpp>
#include <options/option_reader.h>

namespace ferry_map {
namespace {

namespace json = boost::json;

[[noreturn]] void fail(const std::string& message) {
  throw ferry::Error(FERRY_ERROR_CONFIG, "map: " + message);
}

std::string name_of(const json::value& v, const std::string& what) {
  if (!v.is_string() || v.as_string().empty()) fail(what + " must be a non-empty string");
  return std::string(v.as_string());
}

std::vector<std::string> read_names(const json::value& v, const std::string& option) {
  if (!v.is_array()) fail("option '" + option + "' must be an array of field names");
  std::vector<std::string> out;
  for (const json::value& e : v.as_array()) {
    std::string n = name_of(e, "every entry of option '" + option + "'");
    if (std::find(out.begin(), out.end(), n) != out.end())
      fail("option '" + option + "' names field '" + n + "' twice");
    out.push_back(std::move(n));
  }
  return out;
}

Constant read_constant(const json::value& v, const std::string& field) {
  Constant c;
  switch (v.kind()) {
    case json::kind::null: break;
    case json::kind::bool_:
      c.type = FERRY_TYPE_BOOL;
      c.boolean = v.as_bool();
      break;
    case json::kind::int64:
      c.type = FERRY_TYPE_INT64;
      c.i64 = v.as_int64();
      break;
    case json::kind::uint64:
      fail("value of field '" + field + "' is out of the int64 range");
    case json::kind::double_:
      c.type = FERRY_TYPE_DOUBLE;
      c.f64 = v.as_double();
      break;
    case json::kind::string:
      c.type = FERRY_TYPE_STRING;
      c.text = std::string(v.as_string());
      break;
    case json::kind::array:
    case json::kind::object:
      c.type = FERRY_TYPE_JSON;
      c.text = json::serialize(v);
      break;
  }
  return c;
}

Addition read_addition(const std::string& field, const json::value& v) {
  const std::string shape = "add of field '" + field +
                            "' must be an object with exactly one of \"value\", \"from\", \"template\"";
  if (!v.is_object() || v.as_object().size() != 1) fail(shape);
  const json::key_value_pair& kv = *v.as_object().begin();
  Addition a;
  a.name = field;
  if (kv.key() == "value") {
    a.kind = AddKind::kValue;
    a.constant = read_constant(kv.value(), field);
  } else if (kv.key() == "from") {
    a.kind = AddKind::kFrom;
    a.from = name_of(kv.value(), "\"from\" of field '" + field + "'");
  } else if (kv.key() == "template") {
    a.kind = AddKind::kTemplate;
    if (!kv.value().is_string()) fail("\"template\" of field '" + field + "' must be a string");
    a.pieces = parse_template(kv.value().as_string(), field);
  } else {
    fail(shape);
  }
  return a;
}

}  // namespace

Options parse_options(const ferry::Context& ctx) {
  const ferry::support::OptionReader in(ctx, "map");
  Options opts;
  const json::value add = in.json("add");
  if (add.is_object())
    for (const json::key_value_pair& f : add.get_object())
      opts.add.push_back(read_addition(std::string(f.key()), f.value()));
  const json::value cast = in.json("cast");
  if (cast.is_object()) {
    for (const json::key_value_pair& f : cast.get_object()) {
      const std::string field(f.key());
      std::optional<Target> t;
      if (f.value().is_string()) t = target_named(f.value().as_string());
      if (!t)
        fail("cast of field '" + field + "' must be one of " + target_list() + "; got " + json::serialize(f.value()));
      opts.cast.push_back(CastSpec{field, *t});
    }
  }
  const json::value rename = in.json("rename");
  if (rename.is_object()) {
    for (const json::key_value_pair& f : rename.get_object()) {
      const std::string from(f.key());
      std::string to = name_of(f.value(), "new name of field '" + from + "'");
      for (const auto& [other_from, other_to] : opts.rename)
        if (other_to == to) fail("rename maps both '" + other_from + "' and '" + from + "' to '" + to + "'");
      opts.rename.emplace_back(from, std::move(to));
    }
  }
  if (in.has("drop")) opts.drop = read_names(in.json("drop"), "drop");
  if (in.has("keep")) {
    opts.keep = read_names(in.json("keep"), "keep");
    if (opts.keep->empty()) fail("option 'keep' must name at least one field");
  }
  return opts;
}

}  // namespace ferry_map
