// RFC 3986 percent-encoding, as URL paths and AWS SigV4's canonical request
// want it: every byte but the unreserved characters (A-Z a-z 0-9 - . _ ~)
// as %XX with upper-case digits.
#pragma once

#include <string>
#include <string_view>

namespace ferry::support::http {

// `keep_slash`: a path whose '/' separate its segments (an S3 object key).
std::string percent_encode(std::string_view s, bool keep_slash = false);

}  // namespace ferry::support::http
