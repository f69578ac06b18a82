// One libcurl easy handle set up the one way every HTTP plugin wants it
// (Elasticsearch, S3, webhook), and the response it collects: no signals
// (the host runs other threads), http and https only, no redirects (a
// redirected POST may be re-sent as a GET elsewhere: "delivered" must mean
// the configured URL took it), timeouts, TLS and Basic authentication as
// libcurl does them. The plugin adds what its service needs (headers, a
// method, SigV4) on handle() and runs the transfer with perform() or its
// own multi handle, then calls finish().
//
// Thread-safety: an Exchange belongs to one thread at a time.
#pragma once

#include <curl/curl.h>
#include <ferry/plugin.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "http/curl_support.h"

namespace ferry::support::http {

struct Response {
  CURLcode transport = CURLE_OK;  // not CURLE_OK: no HTTP answer arrived
  std::string transport_error;    // libcurl's words (unredacted)
  long status = 0;                // the HTTP status; 0 when none arrived
  std::string body;               // its first max_body bytes
  std::string retry_after;        // the Retry-After header's value, if any
  std::string etag;               // the ETag header's value (quotes included), if any
  bool ok() const { return transport == CURLE_OK && status >= 200 && status < 300; }
  // What the outcome means for Ferry: status_of_transport or status_of_http.
  FerryStatus status_class() const {
    return transport != CURLE_OK ? status_of_transport(transport) : status_of_http(status);
  }
};

struct ExchangeOptions {
  std::string who;         // starts every message: "webhook", "s3", "elasticsearch sink"
  std::string user_agent;  // "ferry-webhook/1.0"
  long timeout_ms = 30000;          // the whole transfer, connecting included
  long connect_timeout_ms = 10000;
  bool keepalive = false;           // TCP keepalive on the connection
  size_t max_body = std::numeric_limits<size_t>::max();  // kept of a response body; the rest is read and dropped
  // TLS: a CA bundle to trust instead of the system's, and whether to
  // check the server's certificate and name at all.
  std::string ca_file;
  bool verify_tls = true;
  // Basic authentication, encoded by libcurl; none when the user is empty.
  std::string basic_user;
  std::string basic_password;
};

class Exchange {
 public:
  // Throws ferry::Error(FERRY_ERROR_INTERNAL) when libcurl cannot be set up.
  explicit Exchange(const ExchangeOptions& options);
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  CURL* handle() const { return easy_.get(); }
  const std::string& who() const { return who_; }

  // Sets a libcurl option; throws ferry::Error when libcurl refuses it.
  template <typename T>
  void set(CURLoption option, T value) {
    set_option(easy_.get(), option, value, who_);
  }

  // A POST (or, with `method`, a PUT) of `body` from memory, not copied:
  // it must outlive the transfer. Sent with its length, never chunked.
  void send_body(std::string_view body, const char* method = nullptr);
  // A GET, or with `method` another request without a body (DELETE).
  void send_no_body(const char* method = nullptr);

  // How much of the next response bodies to keep.
  void set_max_body(size_t bytes) { max_body_ = bytes; }

  // Clears the last response, for a transfer about to start.
  void begin();
  // Ends a transfer that ended with `rc`: the status, or libcurl's words.
  void finish(CURLcode rc);
  // begin(), the transfer, finish().
  const Response& perform();

  const Response& response() const { return response_; }
  Response& response() { return response_; }

 private:
  static size_t on_body(char* data, size_t size, size_t n, void* self);
  static size_t on_header(char* data, size_t size, size_t n, void* self);

  std::string who_;
  size_t max_body_;
  EasyHandle easy_;
  Response response_;
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace ferry::support::http
