// Part of <ferry/testing/plugin_harness.hpp>: a FerryHost whose services record everything a
// plugin reports (logs, errors, retry hints, errant records, counters).
#ifndef FERRY_TESTING_RECORDING_HOST_HPP_
#define FERRY_TESTING_RECORDING_HOST_HPP_

#include <ferry/plugin.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::testing {

// ---------------------------------------------------------------------------
// Host services

class RecordingHost {
 public:
  struct Log {
    FerryLogLevel level;
    std::string message;
  };
  struct Errant {
    FerryStatus error_class;
    std::string partition, position, key, payload, message;
  };

  std::vector<Log> logs;
  std::vector<std::string> errors;  // every set_error, in order
  std::vector<uint64_t> retry_hints;
  std::vector<Errant> errant;
  std::map<std::string, int64_t, std::less<>> counters;
  std::atomic<int32_t> cancelled{0};
  // What report_errant_record answers (a test can make the DLQ "fail").
  FerryStatus errant_status = FERRY_OK;

  RecordingHost() {
    table_.struct_size = sizeof table_;
    table_.host_data = this;
    table_.log = [](void* h, FerryLogLevel level, const char* msg, size_t len) {
      self(h)->logs.push_back(Log{level, std::string(msg, len)});
    };
    table_.set_error = [](void* h, const char* msg, size_t len) {
      self(h)->errors.emplace_back(msg, len);
    };
    table_.set_retry_after = [](void* h, uint64_t ms) { self(h)->retry_hints.push_back(ms); };
    table_.report_errant_record = [](void* h, const FerryErrantRecord* r) {
      RecordingHost* host = self(h);
      host->errant.push_back(
          Errant{r->error_class, std::string(ferry::view(r->partition)),
                 std::string(ferry::view(r->position)), std::string(ferry::view(r->key)),
                 std::string(ferry::view(r->payload)), std::string(ferry::view(r->message))});
      return host->errant_status;
    };
    table_.is_cancelled = [](void* h) { return self(h)->cancelled.load(); };
    table_.counter_add = [](void* h, const char* name, size_t len, int64_t delta) {
      self(h)->counters[std::string(name, len)] += delta;
    };
  }
  RecordingHost(const RecordingHost&) = delete;
  RecordingHost& operator=(const RecordingHost&) = delete;

  const FerryHost* table() const { return &table_; }
  std::string last_error() const { return errors.empty() ? std::string() : errors.back(); }
  int64_t counter(std::string_view name) const {
    auto it = counters.find(name);
    return it == counters.end() ? 0 : it->second;
  }

 private:
  static RecordingHost* self(void* h) { return static_cast<RecordingHost*>(h); }
  FerryHost table_{};
};

}  // namespace ferry::testing

#endif  // FERRY_TESTING_RECORDING_HOST_HPP_
