// Small, transport-free pieces of HTTP the admin server needs: the request
// target's path and query, and the bearer-token check. Kept apart from the
// socket code so each piece is easy to read on its own.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::core::admin {

// A request target ("/pipelines/orders/checkpoints/data%2Forders.jsonl?x=1")
// as the routes read it, parsed by Boost.URL.
struct Target {
  std::string path;                   // as sent, for messages
  // Split on '/' before decoding, so an encoded slash stays inside its
  // segment; a single trailing slash is ignored.
  std::vector<std::string> segments;
  // Decoded, '+' a space; the last of a repeated name wins.
  std::map<std::string, std::string> query;
};

// nullopt, with the reason in `why`, for a target that is not "/path?query"
// (a malformed escape included) or that decodes to a NUL byte, which would
// cut a name short in the C APIs and SQLite below.
std::optional<Target> parse_target(std::string_view target, std::string* why);

// Time depends only on the length of `expected` (the secret the server
// knows), never on how much of `given` matches.
bool constant_time_equal(std::string_view expected, std::string_view given);

// The credentials of "Bearer <token>" (scheme case-insensitive), or nullopt
// for any other scheme.
std::optional<std::string_view> bearer_credentials(std::string_view authorization);

}  // namespace ferry::core::admin
