// Keeping secrets out of messages: the Authorization value, header values,
// and the userinfo, path and query of the URL (webhook URLs often carry their
// token in the path) never reach a log line or an error.
#ifndef FERRY_PLUGINS_WEBHOOK_REDACT_H_
#define FERRY_PLUGINS_WEBHOOK_REDACT_H_

#include <string>
#include <string_view>
#include <vector>

#include "options.h"

namespace ferry_webhook {

// scheme://host[:port] of `url`: what messages say a request went to.
std::string display_url(std::string_view url);

// Replaces "user:pass@" after any "://" in free text with "***@".
std::string strip_userinfo(std::string text);

class Redactor {
 public:
  explicit Redactor(const Options& opts);
  // `text` with userinfo stripped and every known secret replaced by ***.
  std::string operator()(std::string text) const;

 private:
  std::vector<std::string> secrets_;  // longest first
};

}  // namespace ferry_webhook

#endif  // FERRY_PLUGINS_WEBHOOK_REDACT_H_
