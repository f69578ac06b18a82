// Numbers as a JSON line wrote them. Boost.JSON's document keeps an integer
// beyond uint64 (or any non-integral number) only as a double, which is not
// the number the line holds; the JSONL source reads a line's number texts
// again when its document has such values, so every integer stays exact
// and a number no type holds is rejected with the reason. Pure C++.
#ifndef FERRY_PLUGINS_FILE_JSON_NUMBERS_H_
#define FERRY_PLUGINS_FILE_JSON_NUMBERS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry_file {

// The text of every number in `line` (one JSON value), in document order,
// which is the order Boost.JSON's document keeps. False with `error` when
// an object repeats a key (the document then keeps one of two values, and
// which one is not the line's business to decide).
bool number_texts(std::string_view line, std::vector<std::string>& texts, std::string* error);

// True for a JSON number text without fraction or exponent.
bool is_integer_text(std::string_view text);

// A JSON number text as a plain decimal ("1.5e3" -> "1500", "-2E-2" ->
// "-0.02"); none when its exponent puts it beyond any decimal a database
// keeps (more than 1,000 digits).
std::optional<std::string> plain_decimal(std::string_view text);

// append_json_exact (json_text.h) writes a value with these texts.

// Why a line that is not JSON is not: NaN and Infinity are not JSON numbers.
std::optional<std::string> non_json_number(std::string_view line);

}  // namespace ferry_file

#endif  // FERRY_PLUGINS_FILE_JSON_NUMBERS_H_
