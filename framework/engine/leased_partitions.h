// A worker sharing a pipeline (PostgreSQL state): one thread's loop over the
// round's partitions, claimed one lease at a time. A partition lost to
// another worker (fenced) is left to it; one this worker cannot finish is
// given back for another to take at once.
#pragma once

#include "engine/partition_runner.h"
#include "engine/worker.h"

namespace ferry::core {

// Claims and reads partitions until the round is done, or only this
// worker's own leases are left, or the run stops. While other live workers
// hold the rest, it polls, to take over what they leave or let expire.
void run_leased_partitions(Worker& worker, PartitionRunner& runner, WorkerLeases& leases);

}  // namespace ferry::core
