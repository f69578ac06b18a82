// Options of the webhook hooks, from the typed options the host checked.
#ifndef FERRY_PLUGINS_WEBHOOK_OPTIONS_H_
#define FERRY_PLUGINS_WEBHOOK_OPTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry {
class Context;
}

namespace ferry_webhook {

struct Options {
  std::string url;  // http:// or https://; may carry user:pass@ (never logged)
  int64_t timeout_ms = 5000;  // per attempt, connect included
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, in order
  std::string auth_header;    // sent as Authorization when not empty (secret)
  int64_t include_records = 10;  // keys / failed records listed in a payload
  bool fail_on_error = false;    // true: answer RETRY; false: warn and go on
  int64_t retries = 2;           // quick retries after the first attempt
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the offending option. Never
// quotes a header value or the URL's userinfo in its messages.
Options parse_options(const ferry::Context& ctx);

}  // namespace ferry_webhook

#endif  // FERRY_PLUGINS_WEBHOOK_OPTIONS_H_
