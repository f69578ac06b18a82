#include "pg_array.h"

#include <cstdint>

namespace ferry_pg {
namespace {

class Converter {
 public:
  explicit Converter(std::string_view s) : s_(s) {}

  bool run(std::string* out) {
    skip_ws();
    if (!array(out)) return false;
    skip_ws();
    return i_ == s_.size();
  }

 private:
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool eat(char c) {
    skip_ws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }

  bool array(std::string* out) {
    if (!eat('[')) return false;
    *out += '{';
    if (eat(']')) {
      *out += '}';
      return true;
    }
    for (bool first = true;; first = false) {
      if (!first) *out += ',';
      if (!element(out)) return false;
      if (eat(']')) break;
      if (!eat(',')) return false;
    }
    *out += '}';
    return true;
  }

  bool element(std::string* out) {
    skip_ws();
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '[') return array(out);
    if (c == '"') {
      std::string text;
      if (!string(&text)) return false;
      quote(text, out);
      return true;
    }
    if (c == '{') {
      const size_t start = i_;
      if (!skip_value()) return false;
      quote(s_.substr(start, i_ - start), out);
      return true;
    }
    // null, true, false, numbers: their text is valid array element input.
    const size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != ']' && s_[i_] != ' ' && s_[i_] != '\n' &&
           s_[i_] != '\t' && s_[i_] != '\r')
      ++i_;
    const std::string_view word = s_.substr(start, i_ - start);
    if (word.empty()) return false;
    if (word == "null") {
      *out += "NULL";
      return true;
    }
    for (char w : word)
      if (!((w >= '0' && w <= '9') || w == '-' || w == '+' || w == '.' || w == 'e' || w == 'E' ||
            (w >= 'a' && w <= 'z')))
        return false;
    *out += word;
    return true;
  }

  static void quote(std::string_view text, std::string* out) {
    *out += '"';
    for (char c : text) {
      if (c == '"' || c == '\\') *out += '\\';
      *out += c;
    }
    *out += '"';
  }

  static void put_utf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xC0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xE0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *out += static_cast<char>(0xF0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(uint32_t* v) {
    if (s_.size() - i_ < 4) return false;
    *v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      *v <<= 4;
      if (c >= '0' && c <= '9') *v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') *v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') *v |= static_cast<uint32_t>(c - 'A' + 10);
      else return false;
    }
    return true;
  }

  bool string(std::string* out) {
    ++i_;  // opening quote
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') return true;
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (i_ >= s_.size()) return false;
      const char e = s_[i_++];
      switch (e) {
        case '"': *out += '"'; break;
        case '\\': *out += '\\'; break;
        case '/': *out += '/'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          uint32_t cp;
          if (!hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00) {
            uint32_t lo;
            if (s_.substr(i_, 2) != "\\u") return false;
            i_ += 2;
            if (!hex4(&lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          put_utf8(cp, out);
          break;
        }
        default: return false;
      }
    }
    return false;
  }

  // Skips a balanced object or array, minding strings.
  bool skip_value() {
    int depth = 0;
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') {
        while (i_ < s_.size() && s_[i_] != '"') i_ += s_[i_] == '\\' ? 2 : 1;
        if (i_ >= s_.size()) return false;
        ++i_;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return true;
      }
    }
    return false;
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

bool json_array_to_pg(std::string_view json, std::string* out) {
  std::string result;
  if (!Converter(json).run(&result)) return false;
  *out = std::move(result);
  return true;
}

}  // namespace ferry_pg
