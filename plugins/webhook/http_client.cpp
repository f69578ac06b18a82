#include "http_client.h"

#include <ferry/plugin.hpp>

namespace ferry_webhook {
namespace {

namespace http = ferry::support::http;

// Enough of a response body to explain a rejection; the rest is dropped.
constexpr size_t kMaxResponseBytes = 4096;
constexpr size_t kMaxQuotedBody = 256;

constexpr std::string_view kWho = "webhook";

// Printable start of a response body for an error message.
std::string quote_body(const std::string& body) {
  std::string out = body.substr(0, kMaxQuotedBody);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  if (body.size() > kMaxQuotedBody) out += "...";
  return out;
}

http::ExchangeOptions exchange_options(const Options& opts) {
  http::ExchangeOptions o;
  o.who = std::string(kWho);
  o.user_agent = "ferry-webhook/1.0";
  o.timeout_ms = static_cast<long>(opts.timeout_ms);
  o.connect_timeout_ms = o.timeout_ms;
  o.max_body = kMaxResponseBytes;
  return o;
}

}  // namespace

HttpClient::HttpClient(const Options& opts, const ferry::SecretScrubber& redact)
    : redact_(redact), exchange_(exchange_options(opts)), headers_(kWho) {
  headers_.append("Content-Type: application/json");
  // libcurl would otherwise send "Expect: 100-continue" for bodies over 1 KiB
  // and wait up to a second for a reply many small receivers never send.
  headers_.append("Expect:");
  for (const auto& [name, value] : opts.headers) headers_.append(name + ": " + value);
  if (!opts.auth_header.empty()) headers_.append("Authorization: " + opts.auth_header);
  exchange_.set(CURLOPT_URL, opts.url.c_str());
  exchange_.set(CURLOPT_HTTPHEADER, headers_.get());
}

PostResult HttpClient::post(const std::string& body) {
  exchange_.send_body(body);
  const http::Response& r = exchange_.perform();
  PostResult out;
  out.status = r.status_class();
  out.http_status = r.status;
  out.ok = out.status == FERRY_OK;
  if (out.ok) return out;
  out.retryable = out.status == FERRY_RETRY;
  if (r.transport != CURLE_OK) {
    out.error = r.transport_error;
    return out;
  }
  out.error = "HTTP " + std::to_string(r.status);
  if (!r.body.empty()) out.error += ": " + quote_body(redact_(r.body));
  return out;
}

}  // namespace ferry_webhook
