#include "delivery.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace ferry_webhook {
namespace {

constexpr uint64_t kFirstPauseMs = 100;
constexpr uint64_t kMaxPauseMs = 1000;
// How often a pause looks at the host's cancel flag.
constexpr uint64_t kPauseSliceMs = 20;

}  // namespace

Delivery::Delivery(const ferry::Context& ctx)
    : opts_(parse_options(ctx)),
      host_(ctx.host()),
      redact_(make_redactor(opts_)),
      target_(display_url(opts_.url)),
      client_(opts_, redact_) {}

bool Delivery::pause(uint64_t ms) const {
  for (uint64_t slept = 0; slept < ms; slept += kPauseSliceMs) {
    if (host_.cancelled()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(kPauseSliceMs, ms - slept)));
  }
  return !host_.cancelled();
}

void Delivery::send(const std::string& body, std::string_view what) {
  PostResult result;
  int64_t attempts = 0;
  uint64_t pause_ms = kFirstPauseMs;
  for (;;) {
    ++attempts;
    result = client_.post(body);
    if (result.ok) return;
    if (!result.retryable || attempts > opts_.retries) break;
    if (!pause(pause_ms)) break;
    pause_ms = std::min(pause_ms * 2, kMaxPauseMs);
  }

  // Only the redacted text leaves this function: the response body or
  // libcurl's message could quote a header or the URL's userinfo.
  const std::string message = redact_("webhook: POST of " + std::string(what) + " event to " +
                                      target_ + " failed after " + std::to_string(attempts) +
                                      (attempts == 1 ? " attempt: " : " attempts: ") +
                                      result.error);
  if (opts_.fail_on_error) throw ferry::Error(result.status, message);
  host_.warn(message + " (ignored: fail_on_error is false)");
  host_.count("webhook_failures", 1);
}

}  // namespace ferry_webhook
