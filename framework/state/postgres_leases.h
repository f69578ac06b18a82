// Workers sharing a pipeline through PostgreSQL state (StateStore::
// join_workers): partition leases claimed with FOR UPDATE SKIP LOCKED,
// renewed by a heartbeat thread, fenced by tokens from one sequence.
//
// A worker's session holds two advisory locks while it lives: the
// pipeline's run lock, shared (so a replay or reset, which takes it alone,
// waits for every worker to leave), and one on its own id (so another
// worker can tell at once that a lease's owner is gone, and take the
// partition without waiting for the lease to expire). A worker that is
// alive but silent (paused, cut off) loses its leases only by expiry;
// its later saves then fail as fenced.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "state/postgres_db.h"
#include "state/state_store.h"

namespace ferry::core::pg_state {

std::unique_ptr<WorkerLeases> join_workers(const std::string& dsn, const std::string& pipeline, const LockHolder& me,
                                           std::chrono::milliseconds ttl);

std::vector<WorkerInfo> list_workers(Connection& c, const std::string& pipeline);
std::vector<LeaseInfo> list_leases(Connection& c, const std::string& pipeline);

// Forgets the pipeline's rounds and leases (a whole-pipeline reset: the
// next worker plans again). Tokens keep growing.
void forget_rounds(Connection& c, const std::string& pipeline);

}  // namespace ferry::core::pg_state
