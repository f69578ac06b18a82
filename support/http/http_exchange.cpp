#include "http/http_exchange.h"

#include <algorithm>

namespace ferry::support::http {

Exchange::Exchange(const ExchangeOptions& options)
    : who_(options.who), max_body_(options.max_body), easy_(new_easy(options.who)) {
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_TIMEOUT_MS, options.timeout_ms);
  set(CURLOPT_CONNECTTIMEOUT_MS, std::min(options.connect_timeout_ms, options.timeout_ms));
  if (options.keepalive) set(CURLOPT_TCP_KEEPALIVE, 1L);
  if (!options.user_agent.empty()) set(CURLOPT_USERAGENT, options.user_agent.c_str());
  set(CURLOPT_ERRORBUFFER, error_buffer_);
  set(CURLOPT_WRITEFUNCTION, &Exchange::on_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(this));
  set(CURLOPT_HEADERFUNCTION, &Exchange::on_header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(this));
  if (!options.ca_file.empty()) set(CURLOPT_CAINFO, options.ca_file.c_str());
  if (!options.verify_tls) {
    set(CURLOPT_SSL_VERIFYPEER, 0L);
    set(CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!options.basic_user.empty()) {
    set(CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    set(CURLOPT_USERNAME, options.basic_user.c_str());
    set(CURLOPT_PASSWORD, options.basic_password.c_str());
  }
}

size_t Exchange::on_body(char* data, size_t size, size_t n, void* self) {
  auto* x = static_cast<Exchange*>(self);
  const size_t len = size * n;
  std::string& body = x->response_.body;
  if (body.size() < x->max_body_) body.append(data, std::min(len, x->max_body_ - body.size()));
  return len;  // read everything, keep only the start
}

size_t Exchange::on_header(char* data, size_t size, size_t n, void* self) {
  auto* x = static_cast<Exchange*>(self);
  const std::string_view line(data, size * n);
  if (auto wait = header_value(line, "retry-after")) x->response_.retry_after = std::move(*wait);
  else if (auto etag = header_value(line, "etag")) x->response_.etag = std::move(*etag);
  return size * n;
}

void Exchange::send_body(std::string_view body, const char* method) {
  set(CURLOPT_POST, 1L);
  set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  set(CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
  set(CURLOPT_CUSTOMREQUEST, method);
}

void Exchange::send_no_body(const char* method) {
  set(CURLOPT_HTTPGET, 1L);
  set(CURLOPT_CUSTOMREQUEST, method);
}

void Exchange::begin() {
  response_ = Response{};
  error_buffer_[0] = '\0';
}

void Exchange::finish(CURLcode rc) {
  response_.transport = rc;
  if (rc != CURLE_OK) {
    response_.transport_error = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(rc);
    return;
  }
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &response_.status);
}

const Response& Exchange::perform() {
  begin();
  finish(curl_easy_perform(easy_.get()));
  return response_;
}

}  // namespace ferry::support::http
