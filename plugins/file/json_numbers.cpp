#include "json_numbers.h"

#include "text/json_exact.h"

namespace ferry_file {

bool number_texts(std::string_view line, std::vector<std::string>& texts, std::string* error) {
  return ferry::support::json_number_texts(line, texts, error);
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
