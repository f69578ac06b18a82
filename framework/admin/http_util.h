// Small, transport-free pieces of HTTP the admin server needs: decoding of
// paths and query strings, and the bearer-token check. Kept apart from the
// socket code so each piece is easy to read on its own.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::core::admin {

// %XX decoding. In query strings '+' means a space; in paths it does not.
// nullopt for a malformed escape or an encoded NUL.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// Splits a raw path ("/a/b%2Fc") on '/' *before* decoding, so an encoded
// slash stays inside its segment. A single trailing slash is ignored.
std::vector<std::string_view> split_path(std::string_view path);

// "a=1&b=x%20y" -> {a: 1, b: "x y"}; the last duplicate wins. nullopt when
// an escape is malformed.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

// Time depends only on the length of `expected` (the secret the server
// knows), never on how much of `given` matches.
bool constant_time_equal(std::string_view expected, std::string_view given);

// The credentials of "Bearer <token>" (scheme case-insensitive), or nullopt
// for any other scheme.
std::optional<std::string_view> bearer_credentials(std::string_view authorization);

}  // namespace ferry::core::admin
