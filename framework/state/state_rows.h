// How the state store's rows read back as its structs: the columns each
// SELECT names, in the order the readers take them.
#pragma once

#include <string>
#include <vector>

#include "state/state_backend.h"
#include "state/state_store.h"

namespace ferry::core::state_sql {

inline constexpr const char* kCheckpointColumns =
    "pipeline, partition, position, run_id, records, updated_at_ms, schema_version";
inline constexpr const char* kRunColumns =
    "id, pipeline, kind, started_at_ms, ended_at_ms, status, read, written, rejected, "
    "batches, message";
inline constexpr const char* kWindowColumns =
    "pipeline, \"window\", data_date, start, \"end\", status, records, attempts, run_id, message, "
    "started_at_ms, ended_at_ms, generation";

Checkpoint read_checkpoint(const Rows& r, int i);
// `label` names the store in the error an unknown status throws.
Run read_run(const Rows& r, int i, const std::string& label);
BackfillWindow read_window(const Rows& r, int i);

// Every row of `r`, each read by `read(r, i)`.
template <class Read>
auto read_all(const Rows& r, Read read) {
  std::vector<decltype(read(r, 0))> out;
  out.reserve(static_cast<size_t>(r.count()));
  for (int i = 0; i < r.count(); ++i) out.push_back(read(r, i));
  return out;
}

}  // namespace ferry::core::state_sql
