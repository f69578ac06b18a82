// The two encodings SigV4 is strict about, done here because libcurl 7.88's
// CURLOPT_AWS_SIGV4 signs the path and query exactly as they appear in the
// URL: it neither sorts nor re-encodes query parameters, and it signs a bare
// "?uploads" as "uploads" where S3 expects "uploads=". A URL built with these
// functions is already canonical, so libcurl's signature matches the one S3
// computes (and stays right if a later libcurl canonicalizes by itself: a
// canonical query is a fixed point). Pure C++.
#ifndef FERRY_PLUGINS_S3_S3_URI_H_
#define FERRY_PLUGINS_S3_S3_URI_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry_s3 {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// "name=value&..." with names and values encoded, sorted by encoded name and
// then value, and "=" kept for empty values: the canonical query string.
std::string canonical_query(QueryParams params);

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_S3_URI_H_
