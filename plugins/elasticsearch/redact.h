// Keeping secrets out of messages: the password, API key, bearer token and
// any userinfo in the URL never reach a log line, an error or the DLQ.
#ifndef FERRY_PLUGINS_ELASTICSEARCH_REDACT_H_
#define FERRY_PLUGINS_ELASTICSEARCH_REDACT_H_

#include <string>
#include <string_view>
#include <vector>

#include "options.h"

namespace ferry_es {

// scheme://host[:port] of `url`: what messages say a request went to.
std::string display_url(std::string_view url);

class Redactor {
 public:
  // `extra` are derived secrets (the encoded API key, the Basic credentials).
  Redactor(const Options& opts, const std::vector<std::string>& extra);
  // `text` with "user:pass@" after any "://" and every known secret
  // replaced by ***.
  std::string operator()(std::string text) const;

 private:
  std::vector<std::string> secrets_;  // longest first
};

}  // namespace ferry_es

#endif  // FERRY_PLUGINS_ELASTICSEARCH_REDACT_H_
