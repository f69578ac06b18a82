// Keeping secrets out of messages: the password, API key, bearer token and
// any userinfo in the URL never reach a log line, an error or the DLQ.
#ifndef FERRY_PLUGINS_ELASTICSEARCH_REDACT_H_
#define FERRY_PLUGINS_ELASTICSEARCH_REDACT_H_

#include <ferry/redact.hpp>

#include <string>
#include <vector>

#include "options.h"

namespace ferry_es {

using ferry::display_url;

// The sink's secrets; `extra` are derived ones (the encoded API key, the
// Basic credentials).
ferry::SecretScrubber make_redactor(const Options& opts, const std::vector<std::string>& extra);

}  // namespace ferry_es

#endif  // FERRY_PLUGINS_ELASTICSEARCH_REDACT_H_
