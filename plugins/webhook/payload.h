// The JSON bodies the webhook sends (documented in docs/hooks.md).
#ifndef FERRY_PLUGINS_WEBHOOK_PAYLOAD_H_
#define FERRY_PLUGINS_WEBHOOK_PAYLOAD_H_

#include <ferry/plugin.h>

#include <cstddef>
#include <string>

namespace ferry_webhook {

// {"event":"commit", pipeline, run_id, sink, partition, position, records,
//  keys: [first `max_records` keys]}
std::string commit_payload(const FerryCheckpointEvent& event, size_t max_records);

// {"event":"failure", pipeline, run_id, sink, partition, error_class,
//  message, attempts, failed_records,
//  records: [{key, position, message} for the first `max_records` rows]}
std::string failure_payload(const FerryBacklogEvent& event, size_t max_records);

// The host's name for a status: "invalid_data", "retry", ...
std::string class_name(FerryStatus status);

}  // namespace ferry_webhook

#endif  // FERRY_PLUGINS_WEBHOOK_PAYLOAD_H_
