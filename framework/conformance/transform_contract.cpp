#include "conformance/contracts.h"
#include "conformance/kit_batch.h"
#include "conformance/kit_host.h"

namespace ferry::core {

CheckResults check_transform_contract(const LoadedPlugin& plugin, const KitOpen& o) {
  CheckResults results;
  KitHost host;
  const FerryTransformApi& api = *plugin.transform();
  FerryInstance handle = nullptr;
  const FerryOpenArgs args = kit_open_args(o, host, "conformance-transform");
  std::string said = host.expect_ok("open", api.open(&args, &handle));
  if (!said.empty()) {
    results.push_back(fail("transform: apply", said));
    results.push_back(errors_check("transform", host));
    return results;
  }
  const KitBatch in(1, 3);
  std::vector<FerryRecordOutcome> outcomes = fresh_outcomes(in.batch().n_rows);
  FerryBatch out{};
  said = host.expect_ok("apply", api.apply(handle, &in.batch(), &out, outcomes.data()));
  if (!said.empty()) {
    results.push_back(fail("transform: apply", said));
  } else {
    const std::string part(out.partition.data ? out.partition.data : "", out.partition.size);
    const std::string end(out.end_position.data ? out.end_position.data : "", out.end_position.size);
    size_t refused = 0;
    for (const FerryRecordOutcome& oc : outcomes) refused += oc.status != FERRY_OK;
    if (part != KitBatch::kPartition || end != in.end_position()) {
      results.push_back(fail("transform: apply", "the output names partition '" + part + "' and end position '" +
                                                     end + "'; it must carry the input's ('" +
                                                     KitBatch::kPartition + "', '" + in.end_position() + "')"));
    } else {
      results.push_back(pass("transform: apply", std::to_string(out.n_rows) + " row(s) out, " +
                                                     std::to_string(refused) + " refused"));
    }
    const std::string problem = outcome_problems(outcomes);
    results.push_back(problem.empty() ? pass("transform: per-row outcomes")
                                      : fail("transform: per-row outcomes", problem));
    if (out.release == nullptr) {
      results.push_back(fail("transform: output released once", "the output batch has no release callback"));
    } else {
      out.release(&out);
      results.push_back(out.release == nullptr
                            ? pass("transform: output released once")
                            : fail("transform: output released once",
                                   "release() left the batch's release callback set; a released batch has "
                                   "release == NULL"));
    }
  }
  api.close(handle);
  results.push_back(errors_check("transform", host));
  return results;
}

}  // namespace ferry::core
