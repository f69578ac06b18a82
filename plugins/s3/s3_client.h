// One S3 connection: builds canonical URLs, adds the payload hash and session
// token, and lets libcurl sign (CURLOPT_AWS_SIGV4, "aws:amz:REGION:s3").
//
// Signing path: libcurl computes the SigV4 signature; this class makes the
// request canonical before libcurl sees it (s3_uri.h), sends
// x-amz-content-sha256 (libcurl 7.88 does not add it) and signs every extra
// header it is given (libcurl signs each header on the CURLOPT_HTTPHEADER
// list, so only headers with a value may go there: a "Name:" entry that
// removes a header would be signed with an empty value). tests/unit/
// s3_sigv4_test.cpp replays AWS's published examples through this class.
//
// Thread-safety: one thread at a time (it belongs to one sink instance).
// libcurl's global state is set up once per process with std::call_once and
// never torn down (the host may use libcurl elsewhere).
#ifndef FERRY_PLUGINS_S3_S3_CLIENT_H_
#define FERRY_PLUGINS_S3_S3_CLIENT_H_

#include <curl/curl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3_uri.h"

#include "http/curl_support.h"
#include "http/http_exchange.h"

namespace ferry_s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;  // secret
  std::string session_token;      // secret; empty when not temporary credentials
};

struct ClientConfig {
  std::string endpoint;  // scheme://host[:port], no path
  std::string region;
  std::string bucket;
  bool path_style = true;  // /bucket/key, else bucket.host/key
  Credentials credentials;
  int64_t timeout_ms = 120000;  // one request, connecting included
  // Test hooks, never set from a pipeline: route the endpoint's host:port to
  // another address (CURLOPT_CONNECT_TO), and sign for a fixed time by
  // sending this x-amz-date (libcurl then uses it instead of the clock).
  std::string connect_to;
  std::string fixed_amz_date;
};

enum class Method { kGet, kPut, kPost, kDelete };
const char* method_name(Method m);

struct S3Request {
  Method method = Method::kGet;
  std::string key;  // object key; empty for a bucket-level request
  QueryParams query;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value (signed)
  std::string_view body;
  // Hex SHA-256 of `body` when the caller has it already; computed if empty.
  std::string payload_sha256;
};

// ok(), and etag and retry_after from the headers.
using S3Response = ferry::support::http::Response;

class S3Client {
 public:
  // Throws ferry::Error(FERRY_ERROR_INTERNAL) when libcurl cannot be set up.
  explicit S3Client(ClientConfig config);
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // Sends one request; never throws for HTTP or transport errors (see
  // S3Response), only when libcurl itself fails to configure.
  S3Response send(const S3Request& request, size_t max_body = kDefaultMaxBody);

  // The URL `request` goes to (query canonical).
  std::string url_for(const S3Request& request) const;
  // scheme://host[:port] for messages: no userinfo, path or query.
  const std::string& display_endpoint() const { return display_endpoint_; }
  const ClientConfig& config() const { return config_; }

  static constexpr size_t kDefaultMaxBody = 16 << 20;

 private:
  ClientConfig config_;
  std::string display_endpoint_;
  std::string sigv4_param_;  // "aws:amz:REGION:s3"
  ferry::support::http::HeaderList connect_to_{"s3"};  // libcurl keeps the pointer
  ferry::support::http::Exchange exchange_;
};

}  // namespace ferry_s3

#endif  // FERRY_PLUGINS_S3_S3_CLIENT_H_
