#include "http_client.h"

#include <ferry/plugin.hpp>

namespace ferry_webhook {
namespace {

namespace http = ferry::support::http;

// Enough of a response body to explain a rejection; the rest is dropped.
constexpr size_t kMaxResponseBytes = 4096;
constexpr size_t kMaxQuotedBody = 256;

constexpr std::string_view kWho = "webhook";

size_t collect(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t len = size * n;
  if (out->size() < kMaxResponseBytes)
    out->append(data, std::min(len, kMaxResponseBytes - out->size()));
  return len;  // consume everything, keep only the start
}

template <typename T>
void set(CURL* c, CURLoption opt, T value) {
  http::set_option(c, opt, value, kWho);
}

// Printable start of a response body for an error message.
std::string quote_body(const std::string& body) {
  std::string out = body.substr(0, kMaxQuotedBody);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  if (body.size() > kMaxQuotedBody) out += "...";
  return out;
}

}  // namespace

HttpClient::HttpClient(const Options& opts, const ferry::SecretScrubber& redact)
    : redact_(redact), easy_(http::new_easy(kWho)), headers_(kWho) {
  CURL* c = easy_.get();

  headers_.append("Content-Type: application/json");
  // libcurl would otherwise send "Expect: 100-continue" for bodies over 1 KiB
  // and wait up to a second for a reply many small receivers never send.
  headers_.append("Expect:");
  for (const auto& [name, value] : opts.headers) headers_.append(name + ": " + value);
  if (!opts.auth_header.empty()) headers_.append("Authorization: " + opts.auth_header);

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
    out.status = http::status_of_transport(rc);
    out.retryable = out.status == FERRY_RETRY;
    out.error = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(rc);
    return out;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.http_status);
  out.status = http::status_of_http(out.http_status);
  if (out.status == FERRY_OK) {
    out.ok = true;
    return out;
  }
  out.retryable = out.status == FERRY_RETRY;
  out.error = "HTTP " + std::to_string(out.http_status);
  if (!response_.empty()) out.error += ": " + quote_body(redact_(response_));
  return out;
}

}  // namespace ferry_webhook
