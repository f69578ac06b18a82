#include "http_client.h"

#include <ferry/plugin.hpp>
#include <mutex>

namespace ferry_webhook {
namespace {

// Enough of a response body to explain a rejection; the rest is dropped.
constexpr size_t kMaxResponseBytes = 4096;
constexpr size_t kMaxQuotedBody = 256;

void global_init() {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK)
    throw ferry::Error(FERRY_ERROR_INTERNAL,
                       std::string("webhook: curl_global_init failed: ") + curl_easy_strerror(rc));
}

size_t collect(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t len = size * n;
  if (out->size() < kMaxResponseBytes)
    out->append(data, std::min(len, kMaxResponseBytes - out->size()));
  return len;  // consume everything, keep only the start
}

// Appends a header line, or throws: a NULL from curl_slist_append means out
// of memory, and the old list is then still ours to free.
template <typename List>
void append(List& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) throw ferry::Error(FERRY_ERROR_INTERNAL, "webhook: out of memory");
  list.release();
  list.reset(grown);
}

template <typename T>
void set(CURL* c, CURLoption opt, T value) {
  const CURLcode rc = curl_easy_setopt(c, opt, value);
  if (rc != CURLE_OK)
    throw ferry::Error(FERRY_ERROR_INTERNAL,
                       std::string("webhook: libcurl option failed: ") + curl_easy_strerror(rc));
}

// Printable start of a response body for an error message.
std::string quote_body(const std::string& body) {
  std::string out = body.substr(0, kMaxQuotedBody);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  if (body.size() > kMaxQuotedBody) out += "...";
  return out;
}

FerryStatus class_of_http(long status) {
  if (status == 401 || status == 403) return FERRY_ERROR_AUTH;
  if (status == 408 || status == 429 || status >= 500) return FERRY_RETRY;
  // Any other 4xx will be refused again: wrong URL or a receiver that does
  // not accept our payload, which only a configuration change fixes.
  return FERRY_ERROR_CONFIG;
}

FerryStatus class_of_curl(CURLcode rc) {
  switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
      return FERRY_ERROR_CONFIG;
    case CURLE_OUT_OF_MEMORY:
      return FERRY_ERROR_INTERNAL;
    default:  // refused, reset, timed out, DNS: the receiver may come back
      return FERRY_RETRY;
  }
}

}  // namespace

HttpClient::HttpClient(const Options& opts, const ferry::SecretScrubber& redact) : redact_(redact) {
  global_init();
  easy_.reset(curl_easy_init());
  if (!easy_) throw ferry::Error(FERRY_ERROR_INTERNAL, "webhook: curl_easy_init failed");
  CURL* c = easy_.get();

  append(headers_, "Content-Type: application/json");
  // libcurl would otherwise send "Expect: 100-continue" for bodies over 1 KiB
  // and wait up to a second for a reply many small receivers never send.
  append(headers_, "Expect:");
  for (const auto& [name, value] : opts.headers) append(headers_, name + ": " + value);
  if (!opts.auth_header.empty()) append(headers_, "Authorization: " + opts.auth_header);

  set(c, CURLOPT_URL, opts.url.c_str());
  // Signals (SIGALRM for DNS timeouts) are process-wide and not ours to use
  // inside a host that runs other threads.
  set(c, CURLOPT_NOSIGNAL, 1L);
  set(c, CURLOPT_PROTOCOLS_STR, "http,https");
  // A redirected POST is re-sent as GET by many clients; refusing to follow
  // keeps "delivered" meaning "the configured URL accepted it".
  set(c, CURLOPT_FOLLOWLOCATION, 0L);
  set(c, CURLOPT_TIMEOUT_MS, static_cast<long>(opts.timeout_ms));
  set(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opts.timeout_ms));
  set(c, CURLOPT_HTTPHEADER, headers_.get());
  set(c, CURLOPT_POST, 1L);
  set(c, CURLOPT_WRITEFUNCTION, &collect);
  set(c, CURLOPT_WRITEDATA, &response_);
  set(c, CURLOPT_ERRORBUFFER, error_buffer_);
  set(c, CURLOPT_USERAGENT, "ferry-webhook/1.0");
}

PostResult HttpClient::post(const std::string& body) {
  CURL* c = easy_.get();
  response_.clear();
  error_buffer_[0] = '\0';
  set(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  set(c, CURLOPT_POSTFIELDS, body.c_str());

  PostResult out;
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    out.status = class_of_curl(rc);
    out.retryable = out.status == FERRY_RETRY;
    out.error = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(rc);
    return out;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.http_status);
  if (out.http_status < 400) {
    out.ok = true;
    return out;
  }
  out.status = class_of_http(out.http_status);
  out.retryable = out.status == FERRY_RETRY;
  out.error = "HTTP " + std::to_string(out.http_status);
  if (!response_.empty()) out.error += ": " + quote_body(redact_(response_));
  return out;
}

}  // namespace ferry_webhook
