// What every state store does the same way, over its own finish_commit.
#include "state/state_store.h"

#include <set>

namespace ferry::core {

void StateStore::save_checkpoint(const Checkpoint& checkpoint, int64_t records_in_batch,
                                 const std::vector<std::string>& acked_sinks) {
  CommitRecord r;
  r.pipeline = checkpoint.pipeline;
  r.partition = checkpoint.partition;
  r.checkpoint = checkpoint;
  r.records = records_in_batch;
  for (const auto& sink : std::set<std::string>(acked_sinks.begin(), acked_sinks.end()))
    r.acks.emplace_back(sink, records_in_batch);
  finish_commit(r);
}

}  // namespace ferry::core
