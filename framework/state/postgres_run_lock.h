// The one-run-at-a-time lock of a pipeline with PostgreSQL state: a
// session-level advisory lock, with its holder recorded in run_locks.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "state/pipeline_lock.h"
#include "state/postgres_db.h"
#include "state/state_store.h"

namespace ferry::core::pg_state {

// First half of every pipeline's run lock key; the second is hashtext(pipeline).
// Workers (postgres_leases.h) hold it shared, every other command alone.
constexpr const char* kRunLockClass = "1718773089";

// Takes the lock on a connection of its own, held as long as the returned
// object lives: the server also releases it when the session ends, so a
// holder that died frees it. Throws PipelineBusyError naming the holder.
std::unique_ptr<PipelineLock> lock_run(const std::string& dsn, const std::string& pipeline, const LockHolder& me);

// The server process of `c`'s session: a session-level advisory lock lives
// as long as that session, so a holder asks whether it is still the same.
int64_t backend_pid(Connection& c);

// Who holds the lock, if anyone.
std::optional<LockHolder> run_lock_holder(Connection& c, const std::string& pipeline);

}  // namespace ferry::core::pg_state
