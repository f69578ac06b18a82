// The typed option values (ABI 1.4, FerryOpenArgs.options) that the test
// harness hands a plugin, built from the kind's declared options and the
// test's configuration the way the host builds them: a plugin that reads
// its options with ferry_option() sees in a unit test what it sees in a run.
//
// The harness has no JSON library to lean on (the SDK depends on nothing),
// so a small strict reader takes the configuration's top-level members;
// nested arrays and objects are kept as their JSON text.
#ifndef FERRY_TESTING_OPTION_VALUES_HPP_
#define FERRY_TESTING_OPTION_VALUES_HPP_

#include <ferry/json_text.hpp>
#include <ferry/plugin.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::testing {
namespace detail {

// One top-level member of a JSON object.
struct JsonMember {
  std::string name;
  char kind = 0;      // 's' string, 'n' number, 't' true, 'f' false, 'z' null, '[' array, '{' object
  std::string text;   // the decoded string, or the value's JSON text
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}

  // The members of the object `s` holds; throws std::invalid_argument for
  // anything that is not one JSON object.
  std::vector<JsonMember> members() {
    std::vector<JsonMember> out;
    expect('{');
    if (peek() == '}') {
      ++i_;
    } else {
      for (;;) {
        JsonMember m;
        if (peek() != '"') fail("a member name");
        m.name = string();
        expect(':');
        const size_t start = (space(), i_);
        m.kind = peek();
        if (m.kind == '"') {
          m.kind = 's';
          m.text = string();
        } else {
          value();
          m.text = std::string(s_.substr(start, i_ - start));
          if (m.kind == '-' || (m.kind >= '0' && m.kind <= '9')) m.kind = 'n';
          else if (m.kind == 'n') m.kind = 'z';
        }
        out.push_back(std::move(m));
        if (peek() == ',') {
          ++i_;
          continue;
        }
        expect('}');
        break;
      }
    }
    space();
    if (i_ != s_.size()) fail("the end after the object");
    return out;
  }

 private:
  [[noreturn]] void fail(const char* wanted) const {
    throw std::invalid_argument("configuration is not a JSON object: expected " + std::string(wanted) +
                                " at offset " + std::to_string(i_));
  }
  void space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  char peek() {
    space();
    return i_ < s_.size() ? s_[i_] : '\0';
  }
  void expect(char c) {
    if (peek() != c) fail(std::string(1, c).c_str());
    ++i_;
  }
  void literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) fail("true, false or null");
    i_ += word.size();
  }
  unsigned hex4() {
    if (i_ + 4 > s_.size()) fail("four hex digits");
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else fail("a hex digit");
    }
    return v;
  }
  std::string string() {
    expect('"');
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) fail("a closing quote");
      const char c = s_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("an escaped control character");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("an escape");
      const char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00) {  // a high surrogate needs its low half
            if (s_.substr(i_, 2) != "\\u") fail("a low surrogate");
            i_ += 2;
            const unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("a low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            fail("a high surrogate first");
          }
          ferry::append_utf8(out, cp);
          break;
        }
        default: fail("a valid escape");
      }
    }
  }
  void number() {
    const size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    auto digits = [&] {
      const size_t from = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == from) fail("a digit");
    };
    if (i_ < s_.size() && s_[i_] == '0') ++i_;
    else digits();
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      digits();
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      digits();
    }
    if (i_ == start) fail("a number");
  }
  void value() {
    const char c = peek();
    if (c == '"') {
      string();
    } else if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++i_;
      if (peek() == close) {
        ++i_;
        return;
      }
      for (;;) {
        if (c == '{') {
          if (peek() != '"') fail("a member name");
          string();
          expect(':');
        }
        value();
        if (peek() == ',') {
          ++i_;
          continue;
        }
        expect(close);
        return;
      }
    } else if (c == 't') {
      literal("true");
    } else if (c == 'f') {
      literal("false");
    } else if (c == 'n') {
      literal("null");
    } else {
      number();
    }
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace detail

// The values of `spec`'s options in `config_json`, in declaration order.
// None when the configuration is not a JSON object: the host would refuse
// it before opening anything, and a test that hands one over is testing
// the plugin's own answer to it.
class OptionValueList {
 public:
  OptionValueList(const FerryKindSpec* spec, std::string_view config_json) {
    if (spec == nullptr || spec->options == nullptr || spec->n_options == 0) return;
    std::vector<detail::JsonMember> members;
    try {
      members = detail::JsonReader(config_json).members();
    } catch (const std::invalid_argument&) {
      return;
    }
    values_.reserve(spec->n_options);
    for (size_t i = 0; i < spec->n_options; ++i) {
      const FerryOptionSpec& o = spec->options[i];
      FerryOptionValue v{};
      v.name = FerryBytes{o.name, o.name ? std::strlen(o.name) : 0};
      v.type = o.type;
      const detail::JsonMember* m = nullptr;
      for (const detail::JsonMember& candidate : members)  // the last of a repeated name wins
        if (o.name && candidate.name == o.name) m = &candidate;
      // Absent: the declared default, which the host writes into the
      // configuration it checks.
      std::vector<detail::JsonMember> fallback;
      if (m == nullptr && o.default_json != nullptr) {
        try {
          fallback = detail::JsonReader("{\"default\":" + std::string(o.default_json) + "}").members();
          m = &fallback.front();
        } catch (const std::invalid_argument&) {
          // The host refuses such a plugin's pipelines; here it stays absent.
        }
      }
      if (m != nullptr) fill(v, o.type, *m);
      values_.push_back(v);
    }
  }
  OptionValueList(const OptionValueList&) = delete;  // the values point into texts_
  OptionValueList& operator=(const OptionValueList&) = delete;

  const FerryOptionValue* data() const { return values_.empty() ? nullptr : values_.data(); }
  size_t size() const { return values_.size(); }

 private:
  FerryBytes keep(std::string text) {
    texts_.push_back(std::move(text));
    return FerryBytes{texts_.back().data(), texts_.back().size()};
  }
  void fill(FerryOptionValue& v, FerryOptionType type, const detail::JsonMember& m) {
    v.present = 1;
    if (m.kind == 's') {
      std::string quoted = "\"";
      for (char c : m.text) {  // the JSON text of the string, re-escaped
        if (c == '"' || c == '\\') quoted += '\\';
        const char* short_escape = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r"
                                 : c == '\b' ? "\\b" : c == '\f' ? "\\f" : nullptr;
        if (short_escape) {
          quoted += short_escape;
          continue;
        }
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char* hex = "0123456789abcdef";
          quoted += "\\u00";
          quoted += hex[(c >> 4) & 15];
          quoted += hex[c & 15];
          continue;
        }
        quoted += c;
      }
      v.json = keep(quoted + "\"");
      v.as.text = keep(m.text);
      return;
    }
    v.json = keep(m.text);
    if (m.kind == 't' || m.kind == 'f') v.as.boolean = m.kind == 't' ? 1 : 0;
    if (m.kind != 'n') return;
    const bool integral = m.text.find_first_of(".eE") == std::string::npos;
    if (integral) {
      errno = 0;
      const long long n = std::strtoll(m.text.c_str(), nullptr, 10);
      if (errno != ERANGE) {
        v.as.i64 = n;
        if (type == FERRY_OPTION_NUMBER) v.as.f64 = static_cast<double>(n);
        return;
      }
    }
    // Beyond int64, or a fraction: as a double (the JSON text has it exactly).
    if (type == FERRY_OPTION_NUMBER || !integral) v.as.f64 = std::strtod(m.text.c_str(), nullptr);
  }

  std::deque<std::string> texts_;  // stable addresses as it grows
  std::vector<FerryOptionValue> values_;
};

// What the host refuses in `config_json` before it opens the kind (the
// checks `ferry validate` reports): a configuration that is not a JSON
// object, an option the kind does not declare, a value of another type
// than declared, a required option missing. Empty when the host would
// open it. A blank text is a stage without "config".
inline std::string config_problem(const FerryKindSpec* spec, std::string_view config_json) {
  if (config_json.find_first_not_of(" \t\r\n") == std::string_view::npos) config_json = "{}";
  std::vector<detail::JsonMember> members;
  try {
    members = detail::JsonReader(config_json).members();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  const size_t n = spec != nullptr && spec->options != nullptr ? spec->n_options : 0;
  std::string names;
  for (size_t i = 0; i < n; ++i)
    if (spec->options[i].name != nullptr) names += (names.empty() ? "" : ", ") + std::string(spec->options[i].name);
  for (const detail::JsonMember& m : members) {
    bool known = false;
    for (size_t i = 0; i < n && !known; ++i) known = spec->options[i].name != nullptr && m.name == spec->options[i].name;
    if (!known)
      return "unknown option '" + m.name + "'" + (names.empty() ? " (it takes no options)" : " (known: " + names + ")");
  }
  for (size_t i = 0; i < n; ++i) {
    const FerryOptionSpec& o = spec->options[i];
    if (o.name == nullptr) continue;
    const detail::JsonMember* m = nullptr;
    for (const detail::JsonMember& candidate : members)
      if (candidate.name == o.name) m = &candidate;
    if (m == nullptr) {
      if ((o.flags & FERRY_OPTION_REQUIRED) != 0) return "missing required option '" + std::string(o.name) + "'";
      continue;
    }
    const char k = m->kind;
    const char* expected = nullptr;
    switch (o.type) {
      case FERRY_OPTION_STRING: expected = k == 's' ? nullptr : "string"; break;
      case FERRY_OPTION_INT:
        if (k == 'n' && m->text.find_first_of(".eE") != std::string::npos)
          return "option '" + std::string(o.name) + "': expected integer, got decimal number";
        expected = k == 'n' ? nullptr : "integer";
        break;
      case FERRY_OPTION_NUMBER: expected = k == 'n' ? nullptr : "number"; break;
      case FERRY_OPTION_BOOL: expected = k == 't' || k == 'f' ? nullptr : "boolean"; break;
      case FERRY_OPTION_ARRAY: expected = k == '[' ? nullptr : "array"; break;
      case FERRY_OPTION_OBJECT: expected = k == '{' ? nullptr : "object"; break;
      default: break;  // any value, or a type newer than this header
    }
    if (expected == nullptr) continue;
    const char* got = k == 's' ? "string" : k == 'n' ? "number" : k == 't' || k == 'f' ? "boolean"
                    : k == 'z' ? "null" : k == '[' ? "array" : "object";
    return "option '" + std::string(o.name) + "': expected " + expected + ", got " + got;
  }
  return {};
}

// `config_json` (a JSON object, or blank for none) with every declared
// option it does not give written in with its declared default, as the host
// writes them into the configuration it hands over: a plugin that reads
// config_json sees in a test what it sees in a run.
inline std::string with_declared_defaults(const FerryKindSpec* spec, std::string_view config_json) {
  if (config_json.find_first_not_of(" \t\r\n") == std::string_view::npos) config_json = "{}";
  std::vector<detail::JsonMember> members;
  try {
    members = detail::JsonReader(config_json).members();
  } catch (const std::invalid_argument&) {
    return std::string(config_json);  // not an object: the plugin answers for it
  }
  std::string added;
  const size_t n = spec != nullptr && spec->options != nullptr ? spec->n_options : 0;
  for (size_t i = 0; i < n; ++i) {
    const FerryOptionSpec& o = spec->options[i];
    if (o.name == nullptr || o.default_json == nullptr) continue;
    bool given = false;
    for (const detail::JsonMember& m : members) given = given || m.name == o.name;
    if (given) continue;
    if (!added.empty() || !members.empty()) added += ",";
    std::string name;
    append_json_string(name, o.name);
    added += name + ":" + o.default_json;
  }
  std::string out(config_json);
  if (added.empty()) return out;
  const size_t close = out.find_last_of('}');
  out.insert(close, added);
  return out;
}

}  // namespace ferry::testing

#endif  // FERRY_TESTING_OPTION_VALUES_HPP_
