// POSTs JSON to the configured URL over one support/http exchange.
//
// Thread-safety: an HttpClient is used by one thread at a time (it belongs to
// one hook instance). libcurl is set up as support/http/curl_support.h says.
#ifndef FERRY_PLUGINS_WEBHOOK_HTTP_CLIENT_H_
#define FERRY_PLUGINS_WEBHOOK_HTTP_CLIENT_H_

#include <curl/curl.h>
#include <ferry/plugin.h>
#include <ferry/redact.hpp>

#include "http/curl_support.h"
#include "http/http_exchange.h"

#include <memory>
#include <string>

#include "options.h"

namespace ferry_webhook {

struct PostResult {
  bool ok = false;
  // Worth trying again (transport error, timeout, 408, 429, 5xx).
  bool retryable = false;
  // The class to report when this was the last attempt.
  FerryStatus status = FERRY_OK;
  long http_status = 0;  // 0 when no response arrived
  // What went wrong; the quoted part of the response body is redacted,
  // libcurl's message is not.
  std::string error;
};

class HttpClient {
 public:
  // Throws ferry::Error when libcurl cannot be set up. `redact` scrubs the
  // server's answer before a part of it is quoted: cutting first could
  // leave half a secret that no longer matches.
  HttpClient(const Options& opts, const ferry::SecretScrubber& redact);
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  PostResult post(const std::string& json_body);

 private:
  const ferry::SecretScrubber& redact_;  // owned by the Delivery, which outlives this
  ferry::support::http::Exchange exchange_;
  ferry::support::http::HeaderList headers_;
};

}  // namespace ferry_webhook

#endif  // FERRY_PLUGINS_WEBHOOK_HTTP_CLIENT_H_
