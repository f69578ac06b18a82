// Keeping secrets out of messages: the Authorization value, header values,
// and the userinfo, path and query of the URL (webhook URLs often carry their
// token in the path) never reach a log line or an error.
#ifndef FERRY_PLUGINS_WEBHOOK_REDACT_H_
#define FERRY_PLUGINS_WEBHOOK_REDACT_H_

#include <ferry/redact.hpp>

#include "options.h"

namespace ferry_webhook {

using ferry::display_url;

ferry::SecretScrubber make_redactor(const Options& opts);

}  // namespace ferry_webhook

#endif  // FERRY_PLUGINS_WEBHOOK_REDACT_H_
