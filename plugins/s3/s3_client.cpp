#include "s3_client.h"

#include <ferry/plugin.hpp>

#include <algorithm>
#include <cstring>

#include "digest.h"

namespace ferry_s3 {
namespace {

namespace http = ferry::support::http;

constexpr std::string_view kWho = "s3";

template <typename T>
void set(CURL* c, CURLoption opt, T value) {
  http::set_option(c, opt, value, kWho);
}

struct BodySink {
  std::string* out;
  size_t max;
};

size_t collect_body(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const size_t len = size * n;
  if (sink->out->size() < sink->max)
    sink->out->append(data, std::min(len, sink->max - sink->out->size()));
  return len;  // consume everything, keep only the start
}

size_t collect_header(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<S3Response*>(user);
  const std::string_view line(data, size * n);
  if (auto etag = http::header_value(line, "etag")) r->etag = std::move(*etag);
  else if (auto wait = http::header_value(line, "retry-after")) r->retry_after = std::move(*wait);
  return size * n;
}

std::string strip_trailing_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

const char* method_name(Method m) {
  switch (m) {
    case Method::kGet: return "GET";
    case Method::kPut: return "PUT";
    case Method::kPost: return "POST";
    case Method::kDelete: return "DELETE";
  }
  return "GET";
}

S3Client::S3Client(ClientConfig config) : config_(std::move(config)) {
  config_.endpoint = strip_trailing_slash(config_.endpoint);
  const size_t sep = config_.endpoint.find("://");
  const size_t host_begin = sep == std::string::npos ? 0 : sep + 3;
  const size_t at = config_.endpoint.find('@', host_begin);
  display_endpoint_ = at == std::string::npos
                          ? config_.endpoint
                          : config_.endpoint.substr(0, host_begin) + config_.endpoint.substr(at + 1);
  sigv4_param_ = "aws:amz:" + config_.region + ":s3";

  easy_ = http::new_easy(kWho);
  CURL* c = easy_.get();
  // Signals (SIGALRM for DNS timeouts) are process-wide and not ours to use
  // inside a host that runs other threads.
  set(c, CURLOPT_NOSIGNAL, 1L);
  set(c, CURLOPT_PROTOCOLS_STR, "http,https");
  // A redirect would be re-signed for another host; S3 answers a wrong
  // region with 301 + PermanentRedirect, which we report instead.
  set(c, CURLOPT_FOLLOWLOCATION, 0L);
  set(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout_ms));
  set(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<int64_t>(config_.timeout_ms, 30000)));
  set(c, CURLOPT_ERRORBUFFER, error_buffer_);
  set(c, CURLOPT_USERAGENT, "ferry-s3/1.0");
  set(c, CURLOPT_AWS_SIGV4, sigv4_param_.c_str());
  set(c, CURLOPT_USERNAME, config_.credentials.access_key_id.c_str());
  set(c, CURLOPT_PASSWORD, config_.credentials.secret_access_key.c_str());
  set(c, CURLOPT_HEADERFUNCTION, &collect_header);
  set(c, CURLOPT_WRITEFUNCTION, &collect_body);
  if (!config_.connect_to.empty()) {
    connect_to_.append(config_.connect_to);
    set(c, CURLOPT_CONNECT_TO, connect_to_.get());
  }
}

std::string S3Client::url_for(const S3Request& request) const {
  std::string url;
  if (config_.path_style) {
    url = config_.endpoint + "/" + uri_encode(config_.bucket, false);
    if (!request.key.empty()) url += "/" + uri_encode(request.key, true);
  } else {
    const size_t sep = config_.endpoint.find("://");
    const size_t host = sep == std::string::npos ? 0 : sep + 3;
    url = config_.endpoint.substr(0, host) + config_.bucket + "." + config_.endpoint.substr(host) +
          "/" + uri_encode(request.key, true);
  }
  if (!request.query.empty()) url += "?" + canonical_query(request.query);
  return url;
}

S3Response S3Client::send(const S3Request& request, size_t max_body) {
  CURL* c = easy_.get();
  S3Response response;
  error_buffer_[0] = '\0';

  const bool has_body = request.method == Method::kPut || request.method == Method::kPost;
  std::string payload = request.payload_sha256;
  if (payload.empty()) payload = has_body ? hex(sha256(request.body)) : std::string(kEmptySha256);

  http::HeaderList headers(kWho);
  for (const auto& [name, value] : request.headers) headers.append(name + ": " + value);
  headers.append("x-amz-content-sha256: " + payload);
  if (!config_.credentials.session_token.empty())
    headers.append("x-amz-security-token: " + config_.credentials.session_token);
  if (!config_.fixed_amz_date.empty()) headers.append("x-amz-date: " + config_.fixed_amz_date);

  const std::string url = url_for(request);
  set(c, CURLOPT_URL, url.c_str());
  set(c, CURLOPT_HTTPHEADER, headers.get());
  if (has_body) {
    // From memory, with its length: no chunked encoding, and libcurl hashes
    // nothing itself (the payload hash is in x-amz-content-sha256).
    set(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    set(c, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
    set(c, CURLOPT_CUSTOMREQUEST, request.method == Method::kPut ? "PUT" : nullptr);
  } else {
    set(c, CURLOPT_HTTPGET, 1L);
    set(c, CURLOPT_CUSTOMREQUEST, request.method == Method::kDelete ? "DELETE" : nullptr);
  }
  BodySink body{&response.body, max_body};
  set(c, CURLOPT_WRITEDATA, &body);
  set(c, CURLOPT_HEADERDATA, &response);

  response.curl = curl_easy_perform(c);
  // The handle keeps pointers to the list and the body: drop them now.
  set(c, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
  if (has_body) set(c, CURLOPT_POSTFIELDS, static_cast<const char*>(nullptr));
  if (response.curl != CURLE_OK) {
    response.transport_error =
        error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(response.curl);
    return response;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace ferry_s3
