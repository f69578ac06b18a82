// The run lock of a pipeline, for the back ends that have no server to keep
// it: an OS file lock (flock) beside a state file, or a lock inside this
// process for a state store in memory. The holder's description is written
// into the lock file so a refused command can name it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "state/state_store.h"

namespace ferry::core {

// `lock_path` is created if missing. Throws PipelineBusyError when another
// open file description (another process, or another run in this one) holds it.
std::unique_ptr<PipelineLock> lock_file(const std::string& lock_path, const std::string& pipeline,
                                        const LockHolder& me);
std::optional<LockHolder> file_lock_holder(const std::string& lock_path);

// The lock file of `pipeline` beside the state file `state_path`.
std::string lock_file_path(const std::string& state_path, const std::string& pipeline);

// For state that lives in this process: `scope` names the store.
std::unique_ptr<PipelineLock> lock_in_process(const std::string& scope, const std::string& pipeline,
                                              const LockHolder& me);
std::optional<LockHolder> in_process_lock_holder(const std::string& scope, const std::string& pipeline);

std::string holder_json(const LockHolder& h);
std::optional<LockHolder> parse_holder_json(const std::string& text);

}  // namespace ferry::core
