// The webhook as a checkpoint hook and as a backlog hook. Which one runs is
// chosen by where the pipeline lists it ("hooks": {"checkpoint" | "backlog"}).
#ifndef FERRY_PLUGINS_WEBHOOK_WEBHOOK_HOOKS_H_
#define FERRY_PLUGINS_WEBHOOK_WEBHOOK_HOOKS_H_

#include <ferry/plugin.hpp>

#include "delivery.h"

namespace ferry_webhook {

// Thread-safety (both): one instance is called by one thread at a time (ABI
// rule 4); instances share only libcurl's once-initialised global state.
class WebhookCommitHook : public ferry::CheckpointHook {
 public:
  explicit WebhookCommitHook(const ferry::Context& ctx) : delivery_(ctx) {}
  // `ferry validate` reads the options as open would, without a request.
  static void check_config(const ferry::Context& ctx) { parse_options(ctx); }
  FerryStatus on_commit(const FerryCheckpointEvent& event) override;

 private:
  Delivery delivery_;
};

class WebhookFailureHook : public ferry::BacklogHook {
 public:
  explicit WebhookFailureHook(const ferry::Context& ctx) : delivery_(ctx) {}
  // `ferry validate` reads the options as open would, without a request.
  static void check_config(const ferry::Context& ctx) { parse_options(ctx); }
  FerryStatus on_failure(const FerryBacklogEvent& event) override;

 private:
  Delivery delivery_;
};

}  // namespace ferry_webhook

#endif  // FERRY_PLUGINS_WEBHOOK_WEBHOOK_HOOKS_H_
