// Descriptor and entry point of the webhook hooks.
#include <ferry/plugin.hpp>

#include "webhook_hooks.h"

namespace {

// One option list for both kinds: the same config works in either place.
const FerryOptionSpec kOptions[] = {
    {"url", FERRY_OPTION_STRING, FERRY_OPTION_REQUIRED, nullptr,
     "http:// or https:// URL to POST to. Messages show only scheme://host:port of it."},
    {"timeout_ms", FERRY_OPTION_INT, 0, "5000",
     "Time limit of one attempt, connecting included (1..600000)."},
    {"headers", FERRY_OPTION_OBJECT, FERRY_OPTION_SECRET, nullptr,
     "Extra request headers, name to string value. Values are treated as secrets."},
    {"auth_header", FERRY_OPTION_STRING, FERRY_OPTION_SECRET, nullptr,
     "Value of the Authorization header, e.g. \"Bearer ${TOKEN}\"."},
    {"include_records", FERRY_OPTION_INT, 0, "10",
     "How many committed keys / failed records (key, position, message) a payload lists "
     "(0..1000)."},
    {"fail_on_error", FERRY_OPTION_BOOL, 0, "false",
     "If the POST still fails after the retries: true answers RETRY (or AUTH/CONFIG for 4xx) "
     "to the host; false logs a warning and lets the pipeline go on."},
    {"retries", FERRY_OPTION_INT, 0, "2",
     "Quick retries after a failed attempt (transport error, 408, 429, 5xx), 100 ms apart "
     "and doubling (0..10)."},
};

const FerryKindSpec kKinds[] = {
    {FERRY_KIND_CHECKPOINT_HOOK, 0, "POSTs a JSON summary of every commit.", kOptions,
     FERRY_COUNT_OF(kOptions)},
    {FERRY_KIND_BACKLOG_HOOK, 0, "POSTs a JSON summary of every failed write.", kOptions,
     FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("webhook", "1.0.0", "HTTP notifications of commits and failures", kKinds)
FERRY_PLUGIN(ferry_webhook::WebhookCommitHook, ferry_webhook::WebhookFailureHook)
