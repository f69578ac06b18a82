// Digests the S3 requests carry: SHA-256 (x-amz-content-sha256, the SigV4
// payload hash, and x-amz-checksum-sha256) and MD5 (Content-MD5), through
// OpenSSL's libcrypto. Their spellings are in text_codec.h.
#ifndef FERRY_PLUGINS_S3_DIGEST_H_
#define FERRY_PLUGINS_S3_DIGEST_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "text_codec.h"

namespace ferry_s3 {

using Sha256 = std::array<unsigned char, 32>;
using Md5 = std::array<unsigned char, 16>;

// Throw ferry::Error(FERRY_ERROR_INTERNAL) if libcrypto fails (it does not
// for in-memory input, short of running out of memory).
Sha256 sha256(std::string_view data);
Md5 md5(std::string_view data);

// Hex SHA-256 of the empty string: the payload hash of a request without body.
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_DIGEST_H_
