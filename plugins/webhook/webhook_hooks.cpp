#include "webhook_hooks.h"

#include "payload.h"

namespace ferry_webhook {

FerryStatus WebhookCommitHook::on_commit(const FerryCheckpointEvent& event) {
  if (event.struct_size < sizeof(FerryCheckpointEvent))
    throw ferry::Error(FERRY_ERROR_INTERNAL, "webhook: checkpoint event struct is too small");
  delivery_.send(commit_payload(event, delivery_.include_records()), "commit");
  return FERRY_OK;
}

FerryStatus WebhookFailureHook::on_failure(const FerryBacklogEvent& event) {
  if (event.struct_size < sizeof(FerryBacklogEvent))
    throw ferry::Error(FERRY_ERROR_INTERNAL, "webhook: backlog event struct is too small");
  delivery_.send(failure_payload(event, delivery_.include_records()), "failure");
  return FERRY_OK;
}

}  // namespace ferry_webhook
