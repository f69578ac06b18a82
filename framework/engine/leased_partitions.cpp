#include "engine/leased_partitions.h"

#include <algorithm>
#include <chrono>

#include "common/log.h"

namespace ferry::core {

void run_leased_partitions(Worker& worker, PartitionRunner& runner, WorkerLeases& leases) {
  RunContext& run = worker.run;
  // A partition finished or given back is heard at once; a lease that
  // expired, or whose worker died, is looked for this often (the look is one
  // indexed query). Short enough that a stop is seen soon.
  const std::chrono::milliseconds poll(std::clamp<int64_t>(run.options.lease_ttl.count() / 4, 50, 250));
  while (!run.stop.stopping()) {
    std::optional<Lease> lease = leases.claim();
    if (!lease) {
      const WorkerLeases::Round state = leases.round_state();
      if (state != WorkerLeases::Round::kOthers) return;
      leases.wait_for_change(poll);
      continue;
    }
    run.count("ferry_lease_claims_total", run.labels());
    if (lease->from) {
      ++worker.counts.takeovers;
      run.count("ferry_lease_takeovers_total", run.labels());
      log_info("took partition '" + lease->partition + "' over from worker " + std::to_string(*lease->from) +
                   " (lease token " + std::to_string(lease->token) + ")",
               run.fields(lease->partition));
    }
    try {
      runner.run(lease->partition, &*lease);
    } catch (const FencedError& e) {
      ++worker.counts.fenced;
      run.count("ferry_lease_fenced_total", run.labels());
      log_warn(std::string("stopped reading the partition, another worker owns it now: ") + e.what(),
               run.fields(lease->partition));
      leases.release(*lease);  // changes nothing unless the lease is somehow still this worker's
      continue;
    } catch (...) {
      leases.release(*lease);
      throw;
    }
    if (run.stop.stopping()) {
      // Stopped part-way: the next worker resumes at the checkpoint.
      leases.release(*lease);
      return;
    }
    if (leases.finish(*lease)) {
      ++worker.counts.partitions;
    } else {
      log_warn("the lease expired before the partition was marked finished; another worker reads what is left",
               run.fields(lease->partition));
    }
  }
}

}  // namespace ferry::core
