// The host services one plugin instance sees (FerryHost). Each instance gets
// its own context, so an error message or retry hint set during a call is
// tied to the instance that set it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include <ferry/plugin.h>

#include "engine/stop_source.h"
#include "metrics/metrics.h"

namespace ferry::core {

class HostContext {
 public:
  using ErrantHandler = std::function<FerryStatus(const FerryErrantRecord&)>;

  // `metrics` (may be null) receives the plugin's counter_add calls as
  // ferry_plugin_events_total{pipeline, stage, counter}.
  HostContext(std::string pipeline, std::string stage, const StopSource* stop,
              Metrics* metrics);
  HostContext(const HostContext&) = delete;
  HostContext& operator=(const HostContext&) = delete;

  const FerryHost* host() const { return &host_; }
  void set_errant_handler(ErrantHandler h) { errant_ = std::move(h); }
  void set_partition(std::string partition) { partition_ = std::move(partition); }
  const std::string& stage() const { return stage_; }

  // What the plugin's report_errant_record reaches: the errant handler.
  FerryStatus report_errant(const FerryErrantRecord& record);

  // Called by the host around each plugin call.
  void begin_call();
  const std::string& error() const { return error_; }
  uint64_t retry_after_ms() const { return retry_after_ms_; }

 private:
  static void log(void* self, FerryLogLevel level, const char* msg, size_t len);
  static void set_error(void* self, const char* msg, size_t len);
  static void set_retry_after(void* self, uint64_t ms);
  static FerryStatus report_errant_record(void* self, const FerryErrantRecord* record);
  static int32_t is_cancelled(void* self);
  static void counter_add(void* self, const char* name, size_t len, int64_t delta);
  static void gauge_set(void* self, const char* name, size_t len, double value);
  // Whether a counter or gauge name is [a-z0-9_]{1,64}; warns once if not.
  bool metric_name_ok(std::string_view name, bool value_ok, const char* what);

  FerryHost host_{};
  std::string pipeline_;
  std::string stage_;
  std::string partition_;
  const StopSource* stop_;
  Metrics* metrics_;
  std::atomic<bool> warned_metric_{false};  // a bad counter or gauge was said once
  ErrantHandler errant_;
  std::string error_;
  uint64_t retry_after_ms_ = 0;
};

// "ok", "retry", "invalid_data", "config_error", ... (used in the DLQ and logs).
const char* status_name(FerryStatus s);
// status_name for messages: a code the ABI does not define is shown with its
// number ("status 77, unknown to this host, taken as internal_error").
std::string status_text(FerryStatus s);
bool is_fatal(FerryStatus s);

}  // namespace ferry::core
