// The host services `ferry plugin check` gives the instances it opens: it
// remembers the message of the current call and every non-OK status that
// came without one, and keeps the plugin's log lines at debug level.
#pragma once

#include <string>
#include <vector>

#include <ferry/plugin.h>

namespace ferry::core {

class KitHost {
 public:
  KitHost();
  KitHost(const KitHost&) = delete;
  KitHost& operator=(const KitHost&) = delete;

  const FerryHost* host() const { return &host_; }
  // After each call: the status, with the message when there is one.
  // Records a non-OK status (other than end of stream) that came without
  // a message as a problem. The message is used up: the next call starts
  // without one, so a stale message cannot pass for a later call's.
  std::string after_call(const char* call, FerryStatus status);
  // after_call for a call that must return FERRY_OK: "" when it did, else
  // "<call> returned <status>: <message>".
  std::string expect_ok(const char* call, FerryStatus status) {
    const std::string text = after_call(call, status);
    return status == FERRY_OK ? std::string() : std::string(call) + " returned " + text;
  }
  const std::vector<std::string>& silent_errors() const { return silent_errors_; }
  int failed_calls() const { return failed_calls_; }

 private:
  FerryHost host_{};
  std::string error_;
  std::vector<std::string> silent_errors_;
  int failed_calls_ = 0;
};

struct CheckResult;
// "errors carry messages", from what `host` saw.
CheckResult errors_check(const char* kind, const KitHost& host);

}  // namespace ferry::core

namespace ferry::core {

struct KitOpen;
// Open arguments for an instance of the kit (pipeline "conformance").
// Sources get small batches, so that a short input still has several
// batch ends to resume from.
FerryOpenArgs kit_open_args(const KitOpen& open, const KitHost& host, const char* stage,
                            uint64_t max_batch_records = 1000);

}  // namespace ferry::core
