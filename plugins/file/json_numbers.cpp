#include "json_numbers.h"

#include <boost/json/basic_parser_impl.hpp>

#include <set>

#include "json_text.h"

namespace ferry_file {
namespace {

// A basic_parser handler that keeps number texts and checks for repeated
// keys; everything else is only validated.
struct NumberCollector : JsonValidator {
  std::vector<std::string>* texts;
  std::string part;
  std::string key;
  std::vector<std::set<std::string>> keys;  // per open object
  std::string duplicate;

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

}  // namespace

bool number_texts(std::string_view line, std::vector<std::string>& texts, std::string* error) {
  texts.clear();
  boost::json::basic_parser<NumberCollector> p(boost::json::parse_options(), &texts);
  boost::system::error_code ec;
  p.write_some(false, line.data(), line.size(), ec);
  if (!p.handler().duplicate.empty()) {
    *error = "the key \"" + p.handler().duplicate + "\" appears twice in one object";
    return false;
  }
  if (ec) {
    *error = "invalid JSON: " + ec.message();
    return false;
  }
  return true;
}

bool is_integer_text(std::string_view text) { return text.find_first_of(".eE") == std::string_view::npos; }

std::optional<std::string> plain_decimal(std::string_view text) {
  constexpr long kMaxDigits = 1000;
  std::string sign;
  size_t i = 0;
  if (i < text.size() && text[i] == '-') {
    sign = "-";
    ++i;
  }
  std::string digits;
  long point = -1;  // digits before the decimal point
  for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
    if (text[i] == '.') {
      point = static_cast<long>(digits.size());
      continue;
    }
    digits.push_back(text[i]);
  }
  if (point < 0) point = static_cast<long>(digits.size());
  long exponent = 0;
  if (i < text.size()) {
    ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    for (; i < text.size(); ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > 10 * kMaxDigits) return std::nullopt;
    }
    if (negative) exponent = -exponent;
  }
  point += exponent;
  if (point > kMaxDigits || point < -kMaxDigits) return std::nullopt;
  if (point <= 0) {
    digits.insert(0, static_cast<size_t>(-point) + 1, '0');
    point = 1;
  }
  if (point > static_cast<long>(digits.size())) digits.append(static_cast<size_t>(point) - digits.size(), '0');
  std::string whole = digits.substr(0, static_cast<size_t>(point));
  std::string fraction = digits.substr(static_cast<size_t>(point));
  const size_t lead = whole.find_first_not_of('0');
  whole = lead == std::string::npos ? "0" : whole.substr(lead);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  if (whole == "0" && fraction.empty()) sign.clear();  // -0 is 0
  return sign + whole + (fraction.empty() ? "" : "." + fraction);
}

std::optional<std::string> non_json_number(std::string_view line) {
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    for (std::string_view word : {"NaN", "Infinity"})
      if (line.compare(i, word.size(), word) == 0)
        return std::string(word) + " is not a JSON number (write null, or the value as a string)";
  }
  return std::nullopt;
}

}  // namespace ferry_file
