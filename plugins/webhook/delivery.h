// Delivering one payload: quick retries, then the fail_on_error policy.
#ifndef FERRY_PLUGINS_WEBHOOK_DELIVERY_H_
#define FERRY_PLUGINS_WEBHOOK_DELIVERY_H_

#include <ferry/plugin.hpp>
#include <string>

#include "http_client.h"
#include "options.h"
#include "redact.h"

namespace ferry_webhook {

// Thread-safety: belongs to one hook instance, called by one thread at a time.
class Delivery {
 public:
  // Parses the options and sets up the HTTP client. Throws ferry::Error.
  explicit Delivery(const ferry::Context& ctx);

  // POSTs `body`; on failure retries `retries` times (100 ms, 200 ms, ...
  // apart, up to 1 s). Then, if it still failed: with fail_on_error throws
  // ferry::Error (RETRY for transport errors, 408, 429 and 5xx; AUTH for
  // 401/403; CONFIG for other 4xx), else logs a warning, counts
  // webhook_failures and returns. Worst case it takes
  // (retries + 1) * timeout_ms plus the pauses. `what` names the event in
  // messages ("commit", "failure").
  void send(const std::string& body, std::string_view what);

  size_t include_records() const { return static_cast<size_t>(opts_.include_records); }

 private:
  // Sleeps `ms` unless the host cancels first; false when cancelled.
  bool pause(uint64_t ms) const;

  Options opts_;
  ferry::Host host_;
  ferry::SecretScrubber redact_;
  std::string target_;  // display_url(opts_.url): no userinfo, path or query
  HttpClient client_;
};

}  // namespace ferry_webhook

#endif  // FERRY_PLUGINS_WEBHOOK_DELIVERY_H_
