#include "s3_errors.h"

#include <algorithm>
#include <charconv>

#include "xml_text.h"

namespace ferry_s3 {
namespace {

namespace http = ferry::support::http;

constexpr size_t kMaxQuoted = 300;
// S3 asks for a slower rate with 503 SlowDown and rarely says how slow: a
// second is the backoff its documentation suggests to start with.
constexpr uint64_t kSlowDownMs = 1000;
constexpr uint64_t kMaxRetryAfterMs = 3600 * 1000;

std::string s3_code(const S3Response& r) { return xml_text(r.body, "Code").value_or(""); }

std::string printable(std::string s) {
  if (s.size() > kMaxQuoted) s = s.substr(0, kMaxQuoted) + "...";
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return s;
}

uint64_t retry_after_ms(const S3Response& r) {
  const uint64_t asked = http::retry_after_ms(r.retry_after, kMaxRetryAfterMs);
  return asked == 0 && r.status == 503 ? kSlowDownMs : asked;
}

}  // namespace

FerryStatus classify(const S3Response& r) {
  if (r.transport != CURLE_OK) return http::status_of_transport(r.transport);
  const long s = r.status;
  if (s >= 200 && s < 300) return FERRY_OK;
  const FerryStatus by_status = http::status_of_http(s);
  if (by_status == FERRY_RETRY) return FERRY_RETRY;
  // S3 names some passing faults with a 4xx: a body damaged in transit, a
  // slow upload, an upload part the server lost.
  const std::string code = s3_code(r);
  if (code == "BadDigest" || code == "InvalidDigest" || code == "XAmzContentSHA256Mismatch" ||
      code == "RequestTimeout" || code == "NoSuchUpload" || code == "InternalError" ||
      code == "SlowDown" || code == "ServiceUnavailable")
    return FERRY_RETRY;
  // A 3xx (another region) is not a success: the configuration must change.
  return by_status == FERRY_OK ? FERRY_ERROR_CONFIG : by_status;
}

ferry::Error s3_error(const S3Response& r, std::string_view operation, const S3Client& client,
                      std::string_view key, const Redactor& redact) {
  const std::string& bucket = client.config().bucket;
  const std::string& endpoint = client.display_endpoint();
  const FerryStatus status = classify(r);
  std::string where = "s3: " + std::string(operation) + " s3://" + bucket + "/" + std::string(key) +
                      " at " + endpoint;
  if (r.transport != CURLE_OK)
    return ferry::Error(status, redact(where + ": " + r.transport_error));

  const std::string code = s3_code(r);
  const std::string message = xml_text(r.body, "Message").value_or("");
  if (r.status == 404 && code == "NoSuchBucket")
    return ferry::Error(FERRY_ERROR_CONFIG,
                        "s3: bucket '" + bucket + "' does not exist at " + endpoint);
  std::string text = where + ": HTTP " + std::to_string(r.status);
  if (!code.empty()) text += " " + code;
  if (!message.empty()) text += ": " + printable(message);
  if (code.empty() && message.empty() && !r.body.empty()) text += ": " + printable(r.body);
  if (status == FERRY_ERROR_AUTH)
    text += " (check access_key_id / secret_access_key / session_token, or AWS_ACCESS_KEY_ID, "
            "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, and the region)";
  if (r.status >= 300 && r.status < 400)
    text += " (the bucket is in another region or needs another endpoint: check 'region')";
  return ferry::Error(status, redact(text), status == FERRY_RETRY ? retry_after_ms(r) : 0);
}

}  // namespace ferry_s3
