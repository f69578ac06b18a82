#include "s3_client.h"

#include <ferry/plugin.hpp>

#include <algorithm>
#include <cstring>

#include "digest.h"
#include "codec/percent.h"

namespace ferry_s3 {
namespace {

namespace http = ferry::support::http;

constexpr std::string_view kWho = "s3";

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

namespace {

http::ExchangeOptions exchange_options(const ClientConfig& config) {
  http::ExchangeOptions o;
  o.who = std::string(kWho);
  o.user_agent = "ferry-s3/1.0";
  o.timeout_ms = static_cast<long>(config.timeout_ms);
  o.connect_timeout_ms = 30000;
  return o;
}

}  // namespace

S3Client::S3Client(ClientConfig config)
    : config_(std::move(config)), exchange_(exchange_options(config_)) {
  config_.endpoint = strip_trailing_slash(config_.endpoint);
  const size_t sep = config_.endpoint.find("://");
  const size_t host_begin = sep == std::string::npos ? 0 : sep + 3;
  const size_t at = config_.endpoint.find('@', host_begin);
  display_endpoint_ = at == std::string::npos
                          ? config_.endpoint
                          : config_.endpoint.substr(0, host_begin) + config_.endpoint.substr(at + 1);
  sigv4_param_ = "aws:amz:" + config_.region + ":s3";
  // A redirect would be re-signed for another host (the exchange follows
  // none); S3 answers a wrong region with 301 + PermanentRedirect, which
  // is reported instead.
  exchange_.set(CURLOPT_AWS_SIGV4, sigv4_param_.c_str());
  exchange_.set(CURLOPT_USERNAME, config_.credentials.access_key_id.c_str());
  exchange_.set(CURLOPT_PASSWORD, config_.credentials.secret_access_key.c_str());
  if (!config_.connect_to.empty()) {
    connect_to_.append(config_.connect_to);
    exchange_.set(CURLOPT_CONNECT_TO, connect_to_.get());
  }
}

std::string S3Client::url_for(const S3Request& request) const {
  std::string url;
  if (config_.path_style) {
    url = config_.endpoint + "/" + ferry::support::percent_encode(config_.bucket);
    if (!request.key.empty()) url += "/" + ferry::support::percent_encode(request.key, true);
  } else {
    const size_t sep = config_.endpoint.find("://");
    const size_t host = sep == std::string::npos ? 0 : sep + 3;
    url = config_.endpoint.substr(0, host) + config_.bucket + "." + config_.endpoint.substr(host) +
          "/" + ferry::support::percent_encode(request.key, true);
  }
  if (!request.query.empty()) url += "?" + canonical_query(request.query);
  return url;
}

S3Response S3Client::send(const S3Request& request, size_t max_body) {
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
  exchange_.set(CURLOPT_URL, url.c_str());
  exchange_.set(CURLOPT_HTTPHEADER, headers.get());
  // From memory, with its length: no chunked encoding, and libcurl hashes
  // nothing itself (the payload hash is in x-amz-content-sha256).
  if (has_body) exchange_.send_body(request.body, request.method == Method::kPut ? "PUT" : nullptr);
  else exchange_.send_no_body(request.method == Method::kDelete ? "DELETE" : nullptr);
  exchange_.set_max_body(max_body);
  exchange_.perform();
  S3Response response = std::move(exchange_.response());
  // The handle keeps pointers to the list and the body: drop them now.
  exchange_.set(CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
  if (has_body) exchange_.set(CURLOPT_POSTFIELDS, static_cast<const char*>(nullptr));
  return response;
}

}  // namespace ferry_s3
