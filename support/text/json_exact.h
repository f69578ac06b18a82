// JSON numbers read as their text says. Boost.JSON 1.81 reads a number with
// a fraction or an exponent into a double that is not always the nearest
// one (12.100000000000001 became 12.1, one step off): correct for most
// text, wrong for about one in six full-precision values. Everything Ferry
// reads as data or configuration goes through here, so each double is the
// nearest to its text, as JSON readers take it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

namespace ferry::support {

// The text of every number in `json` (one JSON value), in document order,
// which is the order Boost.JSON's document keeps. False with `error` when
// the text is not JSON, or an object repeats a key (the document then keeps
// one of two values, and its numbers no longer line up with the text's).
bool json_number_texts(std::string_view json, std::vector<std::string>& texts, std::string* error,
                       const boost::json::parse_options& options = {});

// The first key that an object of `json` repeats, or nothing (also for text
// that is not JSON). PostgreSQL's jsonb and MySQL's JSON keep one value of
// such a key.
std::optional<std::string> json_repeated_key(std::string_view json);

// Whether any scalar of `v` (arrays and objects looked into) satisfies
// `leaf`.
template <typename Leaf>
bool json_any_scalar(const boost::json::value& v, const Leaf& leaf) {
  switch (v.kind()) {
    case boost::json::kind::array:
      for (const boost::json::value& e : v.get_array())
        if (json_any_scalar(e, leaf)) return true;
      return false;
    case boost::json::kind::object:
      for (const boost::json::key_value_pair& kv : v.get_object())
        if (json_any_scalar(kv.value(), leaf)) return true;
      return false;
    default: return leaf(v);
  }
}

// How many numbers `v` holds, in arrays and objects too.
size_t json_number_count(const boost::json::value& v);

// The double nearest to a JSON number's text (round half to even); beyond
// a double's range, infinity or zero with the text's sign.
double nearest_double(std::string_view number_text);

// Sets every double of `v` to the one nearest its text; `texts` are the
// document's number texts (json_number_texts). False, leaving `v` as it
// was, when they do not line up with its numbers.
bool make_doubles_exact(boost::json::value& v, const std::vector<std::string>& texts);

// boost::json::parse, with every double the nearest to its text. A document
// whose numbers cannot be lined up with the text (a repeated key) sets
// `ec` to boost::json::error::syntax.
boost::json::value parse_json_exact(std::string_view text, boost::system::error_code& ec,
                                    const boost::json::parse_options& options = {});

}  // namespace ferry::support
