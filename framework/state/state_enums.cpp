// Text forms of the state store's enums. They are stored in the database and
// shown by the CLI, so they are part of the on-disk format: never rename one.
#include "state/state_store.h"

namespace ferry::core {

const char* to_string(DlqStatus s) {
  switch (s) {
    case DlqStatus::Pending: return "pending";
    case DlqStatus::Resolved: return "resolved";
    case DlqStatus::FailedAgain: return "failed_again";
    case DlqStatus::Discarded: return "discarded";
  }
  return "unknown";  // unreachable for valid values; keeps -Wreturn-type quiet
}

std::optional<DlqStatus> parse_dlq_status(const std::string& s) {
  for (DlqStatus status : {DlqStatus::Pending, DlqStatus::Resolved, DlqStatus::FailedAgain,
                           DlqStatus::Discarded}) {
    if (s == to_string(status)) return status;
  }
  return std::nullopt;
}

const char* to_string(RunStatus s) {
  switch (s) {
    case RunStatus::Running: return "running";
    case RunStatus::Succeeded: return "succeeded";
    case RunStatus::Failed: return "failed";
    case RunStatus::Stopped: return "stopped";
    case RunStatus::Incomplete: return "incomplete";
  }
  return "unknown";
}

RunStatus worse(RunStatus a, RunStatus b) {
  const auto rank = [](RunStatus s) {
    switch (s) {
      case RunStatus::Succeeded: return 0;
      case RunStatus::Incomplete: return 1;
      case RunStatus::Stopped: return 2;
      case RunStatus::Running: return 3;  // never ended: as bad as failed
      case RunStatus::Failed: return 4;
    }
    return 4;
  };
  return rank(b) > rank(a) ? b : a;
}

std::optional<RunStatus> parse_run_status(const std::string& s) {
  for (RunStatus status :
       {RunStatus::Running, RunStatus::Succeeded, RunStatus::Failed, RunStatus::Stopped, RunStatus::Incomplete}) {
    if (s == to_string(status)) return status;
  }
  return std::nullopt;
}

const char* to_string(WindowStatus s) {
  switch (s) {
    case WindowStatus::Pending: return "pending";
    case WindowStatus::Running: return "running";
    case WindowStatus::Done: return "done";
    case WindowStatus::Failed: return "failed";
  }
  return "pending";
}

}  // namespace ferry::core
