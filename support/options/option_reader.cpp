#include "options/option_reader.h"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <ferry/plugin.hpp>

#include "text/json_exact.h"

namespace ferry::support {

OptionReader::OptionReader(const ferry::Context& ctx, std::string who) : ctx_(ctx), who_(std::move(who)) {
  try {
    ctx_.require_typed_options();
  } catch (const ferry::Error& e) {
    fail(e.what());
  }
}

void OptionReader::fail(const std::string& message) const {
  throw ferry::Error(FERRY_ERROR_CONFIG, who_ + ": " + message);
}

bool OptionReader::has(const char* name) const {
  const FerryOptionValue* v = ctx_.option(name);
  return v != nullptr && v->present;
}

std::string OptionReader::string(const char* name, std::string fallback) const {
  return ctx_.option_string(name, std::move(fallback));
}

std::string OptionReader::text(const char* name, std::string fallback) const {
  if (!has(name)) return fallback;
  std::string s = ctx_.option_string(name);
  if (s.empty()) fail("option '" + std::string(name) + "' must not be empty");
  return s;
}

int64_t OptionReader::integer(const char* name, int64_t fallback, int64_t min, int64_t max) const {
  const int64_t n = ctx_.option_int(name, fallback);
  if (has(name) && (n < min || n > max))
    fail("option '" + std::string(name) + "' must be between " + std::to_string(min) + " and " +
         std::to_string(max) + ", got " + std::to_string(n));
  return n;
}

std::optional<int64_t> OptionReader::optional_integer(const char* name, int64_t min, int64_t max) const {
  if (!has(name)) return std::nullopt;
  return integer(name, 0, min, max);
}

bool OptionReader::boolean(const char* name, bool fallback) const { return ctx_.option_bool(name, fallback); }

boost::json::value OptionReader::json(const char* name) const {
  if (!has(name)) return nullptr;
  boost::json::error_code ec;
  boost::json::value v = parse_json_exact(ctx_.option_json(name), ec);
  if (ec) fail("option '" + std::string(name) + "' is not valid JSON: " + ec.message());
  return v;
}

std::vector<std::string> OptionReader::names(const char* name, const char* what) const {
  const boost::json::value v = json(name);
  std::vector<std::string> out;
  if (v.is_null()) return out;
  const std::string shape = "option '" + std::string(name) + "' must be a " + what + " name or an array of them";
  auto add = [&](const boost::json::value& item) {
    if (!item.is_string() || item.get_string().empty()) fail(shape);
    std::string s(item.get_string());
    if (std::find(out.begin(), out.end(), s) != out.end())
      fail("option '" + std::string(name) + "' names " + what + " \"" + s + "\" twice");
    out.push_back(std::move(s));
  };
  if (v.is_array()) {
    for (const boost::json::value& item : v.get_array()) add(item);
  } else {
    add(v);
  }
  return out;
}

std::string OptionReader::one_of(const char* name, const std::vector<const char*>& words, const std::string& given) {
  std::string list;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) list += i + 1 == words.size() ? " or " : ", ";
    list += "\"" + std::string(words[i]) + "\"";
  }
  return "option '" + std::string(name) + "' must be " + list + ", got \"" + given + "\"";
}

}  // namespace ferry::support
