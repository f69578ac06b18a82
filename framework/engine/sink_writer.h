// Delivers one batch to one sink under its retry policy: RETRY is retried
// with backoff until the attempts or the time run out; a whole-batch
// INVALID_DATA is bisected down to the single bad rows (poison pills), so good
// rows are written and exactly the bad ones are rejected.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include <ferry/plugin.h>

#include "engine/backoff.h"
#include "engine/host_context.h"
#include "engine/plugin_instances.h"
#include "pipeline/definition.h"

namespace ferry::core {

// DLQ classes of the rows a sink did not take, beside the status names.
inline constexpr const char* kRetryExhausted = "retry_exhausted";  // the sink kept asking to retry
inline constexpr const char* kSinkFailed = "sink_failed";          // the sink was down for the batch

struct RowFailure {
  size_t row = 0;
  std::string error_class;  // "invalid_data", kRetryExhausted, kSinkFailed
  std::string message;
  uint32_t attempts = 1;
};

struct SinkWriteResult {
  bool acked = true;        // false: the sink is down for this batch (retries exhausted, on_exhausted=fail)
  std::string failure;      // why, when not acked
  uint32_t attempts = 0;    // write calls made
  std::vector<RowFailure> rejected;  // rows not written (when acked)
  uint64_t extra_writes = 0;         // writes caused by bisection
  uint64_t retries = 0;
  bool wrote = false;  // some write call staged rows (answered FERRY_OK)
};

class CancelledError : public Error {
 public:
  CancelledError() : Error("cancelled") {}
};

SinkWriteResult write_to_sink(SinkInstance& sink, const FerryBatch& batch, const RetryPolicy& policy,
                              Backoff& backoff, const StopSource* stop);

}  // namespace ferry::core
