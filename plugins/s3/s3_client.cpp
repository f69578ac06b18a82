#include "s3_client.h"

#include <ferry/plugin.hpp>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "digest.h"

namespace ferry_s3 {
namespace {

void global_init() {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK)
    throw ferry::Error(FERRY_ERROR_INTERNAL,
                       std::string("s3: curl_global_init failed: ") + curl_easy_strerror(rc));
}

template <typename T>
void set(CURL* c, CURLoption opt, T value) {
  const CURLcode rc = curl_easy_setopt(c, opt, value);
  if (rc != CURLE_OK)
    throw ferry::Error(FERRY_ERROR_INTERNAL,
                       std::string("s3: libcurl option failed: ") + curl_easy_strerror(rc));
}

template <typename Slist>
void append(Slist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) throw ferry::Error(FERRY_ERROR_INTERNAL, "s3: out of memory");
  list.release();
  list.reset(grown);
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

bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char a = line[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != name[i]) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

size_t collect_header(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<S3Response*>(user);
  const std::string_view line(data, size * n);
  if (iequals_prefix(line, "etag:")) r->etag = std::string(trim(line.substr(5)));
  else if (iequals_prefix(line, "retry-after:")) r->retry_after = std::string(trim(line.substr(12)));
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

  global_init();
  easy_.reset(curl_easy_init());
  if (!easy_) throw ferry::Error(FERRY_ERROR_INTERNAL, "s3: curl_easy_init failed");
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
    append(connect_to_, config_.connect_to);
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

  std::unique_ptr<curl_slist, SlistFree> headers;
  for (const auto& [name, value] : request.headers) append(headers, name + ": " + value);
  append(headers, "x-amz-content-sha256: " + payload);
  if (!config_.credentials.session_token.empty())
    append(headers, "x-amz-security-token: " + config_.credentials.session_token);
  if (!config_.fixed_amz_date.empty()) append(headers, "x-amz-date: " + config_.fixed_amz_date);

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
