// What a failed S3 request means for the host: the status to return and a
// message that names the operation, the object and the endpoint, quotes S3's
// <Code> and <Message>, and never carries a secret.
//
//   transport errors (refused, reset, timeout, DNS)  -> FERRY_RETRY
//   408, 429, 500, 502, 503 (SlowDown), 504          -> FERRY_RETRY
//   400 BadDigest / InvalidDigest / XAmzContentSHA256Mismatch / RequestTimeout
//                              (corrupted or stalled in flight)  -> FERRY_RETRY
//   404 NoSuchUpload (the multipart upload vanished)  -> FERRY_RETRY (redo it)
//   401, 403 (AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch,
//             ExpiredToken, RequestTimeTooSkewed)      -> FERRY_ERROR_AUTH
//   404 NoSuchBucket                                   -> FERRY_ERROR_CONFIG
//   any other 4xx (and 3xx: wrong region)              -> FERRY_ERROR_CONFIG
#ifndef FERRY_PLUGINS_S3_S3_ERRORS_H_
#define FERRY_PLUGINS_S3_S3_ERRORS_H_

#include <ferry/plugin.hpp>
#include <ferry/redact.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "s3_client.h"

namespace ferry_s3 {

// Replaces the secret key and session token in messages with ***.
class Redactor : public ferry::SecretScrubber {
 public:
  explicit Redactor(const Credentials& credentials) {
    add(credentials.secret_access_key, 1);
    add(credentials.session_token, 1);
  }
};

// `operation` is the S3 API name ("PutObject"); `key` may be empty.
ferry::Error s3_error(const S3Response& response, std::string_view operation,
                      const S3Client& client, std::string_view key, const Redactor& redact);

// The status s3_error would use.
FerryStatus classify(const S3Response& response);

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_S3_ERRORS_H_
