// RFC 3986 percent-encoding, as URL paths and AWS SigV4's canonical request
// want it: every byte but the unreserved characters (A-Z a-z 0-9 - . _ ~)
// as %XX with upper-case digits; and its strict decoding, for the parts of
// a connection URI.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry::support {

// `keep_slash`: a path whose '/' separate its segments (an S3 object key).
std::string percent_encode(std::string_view s, bool keep_slash = false);

// nullopt when a '%' is not followed by two hex digits: a mistyped
// password is reported, not guessed.
std::optional<std::string> percent_decode(std::string_view s);

}  // namespace ferry::support
