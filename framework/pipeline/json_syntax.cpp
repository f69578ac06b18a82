// Strict JSON parsing with positions. Boost.JSON's parser finds the error and
// the byte offset (write_some stops there); a light scanner over the accepted
// prefix then tells what the grammar expected at that point.
#include "pipeline/json_syntax.h"

#include <cctype>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/stream_parser.hpp>

#include "text/json_exact.h"

namespace ferry::core::pipeline_internal {
namespace {

enum class Expect { Value, ValueOrEnd, KeyOrEnd, Key, Colon, CommaOrEnd, Done };

struct Frame {
  char kind;  // '{', '[', or 0 for the document itself
  Expect expect;
  std::map<std::string, std::size_t> keys;  // object keys seen -> offset
};

struct DuplicateKey {
  std::string key;
  std::size_t offset;
  std::size_t first_offset;
};

// Follows the structure of text that Boost already accepted, so it can be
// lenient about everything Boost checks (escapes, number syntax, UTF-8).
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) { stack_.push_back({0, Expect::Value, {}}); }

  void scan(std::size_t end) {
    for (std::size_t i = 0; i < end; ++i) {
      step(i);
    }
  }

  // State after the scanned prefix.
  const Frame& top() const { return stack_.back(); }
  bool in_string() const { return in_string_; }
  bool in_escape() const { return escape_; }
  bool in_scalar() const { return scalar_start_ != npos; }
  std::string_view scalar_so_far(std::size_t end) const {
    return text_.substr(scalar_start_, end - scalar_start_);
  }
  bool after_comma() const { return last_token_ == ','; }
  const std::vector<DuplicateKey>& duplicates() const { return duplicates_; }

  // A scalar (number or literal) ends at the first character that cannot
  // continue it; callers that stop mid-scalar call this to close it.
  void end_scalar() {
    if (!in_scalar()) {
      return;
    }
    scalar_start_ = npos;
    value_done();
  }

 private:
  static constexpr std::size_t npos = std::string_view::npos;

  static bool scalar_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
  }

  void value_done() {
    Frame& f = stack_.back();
    f.expect = f.kind == 0 ? Expect::Done : Expect::CommaOrEnd;
    last_token_ = 'v';
  }

  void step(std::size_t i) {
    const char c = text_[i];
    if (in_string_) {
      if (escape_) {
        escape_ = false;
      } else if (c == '\\') {
        escape_ = true;
      } else if (c == '"') {
        in_string_ = false;
        string_done(i);
      }
      return;
    }
    if (in_scalar()) {
      if (scalar_char(c)) {
        return;
      }
      end_scalar();
    }
    switch (c) {
      case ' ':
      case '\t':
      case '\n':
      case '\r':
        return;
      case '{':
        stack_.push_back({'{', Expect::KeyOrEnd, {}});
        break;
      case '[':
        stack_.push_back({'[', Expect::ValueOrEnd, {}});
        break;
      case '}':
      case ']':
        if (stack_.size() > 1) {
          stack_.pop_back();
        }
        value_done();
        break;
      case ',':
        stack_.back().expect = stack_.back().kind == '{' ? Expect::Key : Expect::Value;
        break;
      case ':':
        stack_.back().expect = Expect::Value;
        break;
      case '"':
        in_string_ = true;
        string_start_ = i;
        break;
      default:
        scalar_start_ = i;
        return;
    }
    last_token_ = c;
  }

  void string_done(std::size_t close) {
    Frame& f = stack_.back();
    const bool is_key = f.kind == '{' && (f.expect == Expect::KeyOrEnd || f.expect == Expect::Key);
    if (!is_key) {
      value_done();
      return;
    }
    f.expect = Expect::Colon;
    last_token_ = 'k';
    const std::string key = decode_key(text_.substr(string_start_, close + 1 - string_start_));
    const auto [it, inserted] = f.keys.emplace(key, string_start_);
    if (!inserted) {
      duplicates_.push_back({key, string_start_, it->second});
    }
  }

  // Keys are compared decoded, so "\u0061" and "a" are the same key.
  static std::string decode_key(std::string_view quoted) {
    if (quoted.find('\\') == std::string_view::npos) {
      return std::string(quoted.substr(1, quoted.size() - 2));
    }
    boost::json::error_code ec;
    const boost::json::value v = boost::json::parse(quoted, ec);
    if (ec || !v.is_string()) {
      return std::string(quoted);
    }
    return std::string(v.get_string());
  }

  std::string_view text_;
  std::vector<Frame> stack_;
  bool in_string_ = false;
  bool escape_ = false;
  std::size_t string_start_ = 0;
  std::size_t scalar_start_ = npos;
  char last_token_ = 0;
  std::vector<DuplicateKey> duplicates_;
};

bool is_complete_scalar(std::string_view s) {
  if (s == "true" || s == "false" || s == "null") {
    return true;
  }
  // Boost accepted this prefix as a number so far; it is complete when it
  // ends in a digit.
  return !s.empty() && std::isdigit(static_cast<unsigned char>(s.back())) != 0;
}

std::string word_at(std::string_view text, std::size_t offset) {
  std::string word;
  for (std::size_t i = offset; i < text.size() && word.size() < 32; ++i) {
    const char c = text[i];
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_' && c != '.' && c != '-') {
      break;
    }
    word += c;
  }
  return word;
}

std::string expectation(const Scanner& s, std::string_view text, std::size_t offset) {
  const bool eof = offset >= text.size();
  const char c = eof ? '\0' : text[offset];
  const Frame& f = s.top();
  const char close = f.kind == '{' ? '}' : ']';
  if (!eof && (c == '}' || c == ']') && s.after_comma() &&
      (f.expect == Expect::Key || f.expect == Expect::Value)) {
    return std::string("trailing comma before '") + c + "'";
  }
  switch (f.expect) {
    case Expect::KeyOrEnd:
      return "expected a key in double quotes or '}'";
    case Expect::Key:
      return "expected a key in double quotes";
    case Expect::Colon:
      return "expected ':' after the key";
    case Expect::CommaOrEnd:
      return std::string("expected ',' or '") + close + "'";
    case Expect::Done:
      return "unexpected text after the end of the document";
    case Expect::Value:
    case Expect::ValueOrEnd:
      break;
  }
  std::string want = f.expect == Expect::ValueOrEnd ? "expected a value or ']'" : "expected a value";
  if (eof || std::isalpha(static_cast<unsigned char>(c)) == 0) {
    return want;
  }
  const std::string word = word_at(text, offset);
  for (const char* literal : {"true", "false", "null"}) {
    if (std::string_view(literal).substr(0, word.size()) == word) {
      return "invalid literal '" + word + "' (expected true, false or null)";
    }
  }
  return want + ", got '" + word + "' (strings need double quotes)";
}

// The "\\uD800"-"\\uDBFF" escape that ends right before `offset`, if any:
// the first half of a surrogate pair, which needs a second half next.
std::optional<std::string_view> high_surrogate_before(std::string_view text, std::size_t offset) {
  if (offset < 6 || text[offset - 6] != '\\' || text[offset - 5] != 'u') return std::nullopt;
  // An even run of backslashes is escaped backslashes, and "u" is text.
  std::size_t backslashes = 0;
  while (backslashes < offset - 5 && text[offset - 6 - backslashes] == '\\') ++backslashes;
  if (backslashes % 2 == 0) return std::nullopt;
  unsigned value = 0;
  for (std::size_t i = offset - 4; i < offset; ++i) {
    const char c = text[i];
    const int digit = std::isdigit(static_cast<unsigned char>(c)) != 0 ? c - '0'
                      : (c >= 'a' && c <= 'f')                        ? c - 'a' + 10
                      : (c >= 'A' && c <= 'F')                        ? c - 'A' + 10
                                                                      : -1;
    if (digit < 0) return std::nullopt;
    value = value * 16 + static_cast<unsigned>(digit);
  }
  if (value < 0xD800 || value > 0xDBFF) return std::nullopt;
  return text.substr(offset - 6, 6);
}

std::string string_problem(const Scanner& s, std::string_view text, std::size_t offset,
                           const boost::json::error_code& ec) {
  if (offset >= text.size()) {
    return "unterminated string";
  }
  const auto c = static_cast<unsigned char>(text[offset]);
  if (ec == boost::json::error::expected_hex_digit) {
    return "invalid \\u escape: expected a hex digit";
  }
  if (ec != boost::json::error::syntax) {
    return ec.message();  // surrogates, length limits: Boost's words are precise
  }
  if (const std::optional<std::string_view> high = high_surrogate_before(text, offset)) {
    return "invalid \\u escape: " + std::string(*high) +
           " is the first half of a surrogate pair, and no \\udc00-\\udfff escape follows it";
  }
  if (s.in_escape()) {
    return std::string("invalid escape sequence '\\") + static_cast<char>(c) + "'";
  }
  if (c < 0x20) {
    return "control character in string (write a line break as \\n, a tab as \\t)";
  }
  if (c >= 0x80) {
    return "invalid UTF-8 in string";
  }
  return ec.message();
}

// What went wrong at `offset`, as the text after "syntax error: ".
std::string describe_failure(std::string_view text, std::size_t offset, const boost::json::error_code& ec) {
  Scanner s(text);
  s.scan(offset);
  const bool eof = offset >= text.size();
  if (s.in_string()) {
    return string_problem(s, text, offset, ec);
  }
  if (s.in_scalar()) {
    if (!is_complete_scalar(s.scalar_so_far(offset))) {
      return eof ? "unexpected end of file in a number" : "invalid number";
    }
    s.end_scalar();
  }
  const bool grammar = ec == boost::json::error::syntax || ec == boost::json::error::incomplete ||
                       ec == boost::json::error::extra_data;
  if (!grammar) {
    return ec.message();
  }
  std::string hint = expectation(s, text, offset);
  if (!eof && text[offset] == '/') {
    hint += " (comments are not allowed in JSON)";
  } else if (!eof && text[offset] == '\'' && hint.find("double quotes") == std::string::npos) {
    hint += " (strings need double quotes)";
  }
  if (eof) {
    return "unexpected end of file, " + hint;
  }
  return hint;
}

bool all_space(std::string_view text, std::size_t from) {
  for (std::size_t i = from; i < text.size(); ++i) {
    const char c = text[i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      return false;
    }
  }
  return true;
}

std::size_t skip_space(std::string_view text, std::size_t from) {
  const std::size_t next = text.find_first_not_of(" \t\n\r", from);
  return next == std::string_view::npos ? text.size() : next;
}

}  // namespace

std::string line_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {  // continuation bytes are not characters
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

boost::json::value parse_json_document(std::string_view text, std::vector<DefinitionIssue>& issues) {
  // Editors on some systems write a byte order mark; it is not JSON, but it
  // is not a mistake worth failing on either.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    text.remove_prefix(3);
  }
  if (all_space(text, 0)) {
    issues.push_back({"", "the file is empty (expected a JSON object)"});
    return nullptr;
  }

  boost::json::parse_options options;
  options.max_depth = 64;  // Boost's default of 32 is tight for nested plugin configs
  boost::json::stream_parser parser({}, options);
  boost::json::error_code ec;
  std::size_t offset = parser.write_some(text.data(), text.size(), ec);
  if (!ec && parser.done() && !all_space(text, offset)) {
    // write_some stops after a complete value; anything left is extra.
    offset = skip_space(text, offset);
    ec = boost::json::error::extra_data;
  }
  if (!ec && !parser.done()) {
    parser.finish(ec);
    offset = text.size();
  }
  if (ec) {
    issues.push_back({line_column(text, offset), "syntax error: " + describe_failure(text, offset, ec)});
    return nullptr;
  }
  boost::json::value doc = parser.release();

  Scanner keys(text);
  keys.scan(text.size());
  // Each is located by a scan from the start: the first few say what is
  // wrong, thousands would say nothing more and take quadratic time.
  constexpr std::size_t kDuplicatesListed = 20;
  const std::vector<DuplicateKey>& duplicates = keys.duplicates();
  for (std::size_t i = 0; i < duplicates.size() && i < kDuplicatesListed; ++i) {
    const DuplicateKey& d = duplicates[i];
    issues.push_back({line_column(text, d.offset),
                      "duplicate key '" + d.key + "' (also at " + line_column(text, d.first_offset) + ")"});
  }
  if (duplicates.size() > kDuplicatesListed)
    issues.push_back({"", std::to_string(duplicates.size() - kDuplicatesListed) + " more duplicate keys"});
  // Boost.JSON reads some doubles one step off (12.100000000000001 as
  // 12.1): a number a plugin is configured with is the one written.
  std::vector<std::string> texts;
  std::string unused;
  if (duplicates.empty() && support::json_number_texts(text, texts, &unused, options))
    support::make_doubles_exact(doc, texts);
  return doc;
}

}  // namespace ferry::core::pipeline_internal
