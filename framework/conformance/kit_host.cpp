#include "conformance/kit_host.h"

#include "common/log.h"
#include "conformance/check_result.h"
#include "conformance/contracts.h"
#include "engine/host_context.h"

namespace ferry::core {

KitHost::KitHost() {
  host_.struct_size = sizeof host_;
  host_.host_data = this;
  host_.log = [](void*, FerryLogLevel, const char* msg, size_t len) {
    log_debug(std::string_view(msg ? msg : "", msg ? len : 0));
  };
  host_.set_error = [](void* self, const char* msg, size_t len) {
    static_cast<KitHost*>(self)->error_.assign(msg ? msg : "", msg ? len : 0);
  };
  host_.set_retry_after = [](void*, uint64_t) {};
  host_.report_errant_record = [](void*, const FerryErrantRecord*) { return FERRY_OK; };
  host_.is_cancelled = [](void*) { return int32_t{0}; };
  host_.counter_add = [](void*, const char*, size_t, int64_t) {};
}

std::string KitHost::after_call(const char* call, FerryStatus status) {
  std::string message;
  message.swap(error_);
  if (status == FERRY_OK || status == FERRY_END_OF_STREAM || status == FERRY_PENDING) return status_text(status);
  ++failed_calls_;
  if (message.empty()) {
    silent_errors_.push_back(std::string(call) + " returned " + status_text(status) + " without a message");
    return status_text(status);
  }
  return status_text(status) + ": " + message;
}

CheckResult errors_check(const char* kind, const KitHost& host) {
  const std::string name = std::string(kind) + ": errors carry messages";
  if (!host.silent_errors().empty()) return fail(name, host.silent_errors().front());
  if (host.failed_calls() == 0) return skip(name, "no call failed");
  return pass(name, std::to_string(host.failed_calls()) + " failed call(s), each with a message");
}

FerryOpenArgs kit_open_args(const KitOpen& open, const KitHost& host, const char* stage,
                            uint64_t max_batch_records) {
  static const std::string kPipeline = "conformance", kRun = "conformance-run";
  FerryOpenArgs a{};
  a.struct_size = sizeof a;
  a.host = host.host();
  a.config_json = FerryBytes{open.config_json.data(), open.config_json.size()};
  a.pipeline = FerryBytes{kPipeline.data(), kPipeline.size()};
  a.name = FerryBytes{stage, std::char_traits<char>::length(stage)};
  a.run_id = FerryBytes{kRun.data(), kRun.size()};
  a.base_dir = FerryBytes{open.base_dir.data(), open.base_dir.size()};
  a.max_batch_records = max_batch_records;
  a.max_batch_bytes = 8 << 20;
  if (open.options) open.options->fill(a);
  return a;
}

}  // namespace ferry::core
