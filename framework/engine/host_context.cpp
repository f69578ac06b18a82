#include "engine/host_context.h"

#include <algorithm>
#include <cmath>

#include <ferry/plugin.hpp>

#include "common/log.h"

namespace ferry::core {

HostContext::HostContext(std::string pipeline, std::string stage, const StopSource* stop, Metrics* metrics)
    : pipeline_(std::move(pipeline)), stage_(std::move(stage)), stop_(stop), metrics_(metrics) {
  host_.struct_size = sizeof host_;
  host_.host_data = this;
  host_.log = &HostContext::log;
  host_.set_error = &HostContext::set_error;
  host_.set_retry_after = &HostContext::set_retry_after;
  host_.report_errant_record = &HostContext::report_errant_record;
  host_.is_cancelled = &HostContext::is_cancelled;
  host_.counter_add = &HostContext::counter_add;
  host_.gauge_set = &HostContext::gauge_set;
}

void HostContext::begin_call() {
  error_.clear();
  retry_after_ms_ = 0;
}

void HostContext::log(void* p, FerryLogLevel level, const char* msg, size_t len) {
  auto* self = static_cast<HostContext*>(p);
  LogLevel l = level <= FERRY_LOG_DEBUG  ? LogLevel::Debug
               : level == FERRY_LOG_INFO ? LogLevel::Info
               : level == FERRY_LOG_WARN ? LogLevel::Warn
                                         : LogLevel::Error;
  Logger::instance().log(l, std::string_view(msg ? msg : "", msg ? len : 0),
                         LogFields{self->pipeline_, {}, self->partition_, self->stage_});
}

void HostContext::set_error(void* p, const char* msg, size_t len) {
  auto* self = static_cast<HostContext*>(p);
  self->error_.assign(msg ? msg : "", msg ? len : 0);
}

void HostContext::set_retry_after(void* p, uint64_t ms) {
  static_cast<HostContext*>(p)->retry_after_ms_ = ms;
}

FerryStatus HostContext::report_errant_record(void* p, const FerryErrantRecord* record) {
  if (!record) return FERRY_ERROR_INTERNAL;
  return static_cast<HostContext*>(p)->report_errant(*record);
}

FerryStatus HostContext::report_errant(const FerryErrantRecord& record) {
  if (!errant_) return FERRY_ERROR_INTERNAL;
  try {
    return errant_(record);
  } catch (const std::exception& e) {
    log_error(std::string("could not store a rejected record: ") + e.what());
    return FERRY_ERROR_IO;
  }
}

int32_t HostContext::is_cancelled(void* p) {
  auto* self = static_cast<HostContext*>(p);
  return self->stop_ && self->stop_->stopping() ? 1 : 0;
}

bool HostContext::metric_name_ok(std::string_view name, bool value_ok, const char* what) {
  // A label value that is not UTF-8 would make the whole scrape invalid:
  // such calls are dropped, once said.
  const bool valid_name = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
                            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                          });
  if (valid_name && value_ok) return true;
  if (!warned_metric_.exchange(true))
    log_warn(std::string("plugin ") + what, LogFields{pipeline_, {}, {}, stage_});
  return false;
}

void HostContext::gauge_set(void* p, const char* name, size_t len, double value) {
  auto* self = static_cast<HostContext*>(p);
  if (!self->metrics_) return;
  const std::string_view gauge(name ? name : "", name ? len : 0);
  if (!self->metric_name_ok(gauge, std::isfinite(value),
                            "gauge_set ignored: gauge names are [a-z0-9_]{1,64} and values finite"))
    return;
  self->metrics_->set("ferry_plugin_gauge",
                      {{"pipeline", self->pipeline_}, {"stage", self->stage_}, {"gauge", std::string(gauge)}}, value);
}

void HostContext::counter_add(void* p, const char* name, size_t len, int64_t delta) {
  auto* self = static_cast<HostContext*>(p);
  if (!self->metrics_) return;
  const std::string_view counter(name ? name : "", name ? len : 0);
  // Prometheus counters only go up.
  if (!self->metric_name_ok(counter, delta >= 0,
                            "counter_add ignored: counter names are [a-z0-9_]{1,64} and deltas are not negative"))
    return;
  // The stage tells two instances of one plugin apart.
  self->metrics_->add("ferry_plugin_events_total",
                      {{"pipeline", self->pipeline_}, {"stage", self->stage_}, {"counter", std::string(counter)}},
                      static_cast<double>(delta));
}

const char* status_name(FerryStatus s) {
  const char* name = ferry::status_name(s);
  return name != nullptr ? name : "internal_error";
}

std::string status_text(FerryStatus s) {
  const char* name = status_name(s);
  if (s == FERRY_ERROR_INTERNAL || std::string_view(name) != "internal_error") return name;
  return "status " + std::to_string(s) + ", unknown to this host, taken as internal_error";
}

bool is_fatal(FerryStatus s) {
  return s != FERRY_OK && s != FERRY_END_OF_STREAM && s != FERRY_RETRY &&
         s != FERRY_INVALID_DATA && s != FERRY_STOP && s != FERRY_FENCED;
}

}  // namespace ferry::core
