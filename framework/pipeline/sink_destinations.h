// Refusing sinks that would write into one another (ABI 1.12 option flags
// FERRY_OPTION_DESTINATION and FERRY_OPTION_PATH).
#pragma once

#include <vector>

#include "pipeline/definition.h"

namespace ferry::core::pipeline_internal {

// Every sink gets the same records, so two sinks of one plugin whose
// destination options are equal would duplicate or overwrite each other's
// output, and a sink writing into the state store's database file would
// fight the store for its lock. Appends an issue for each such sink. Call
// once the stages' options are checked and their defaults filled in.
void check_sink_destinations(const PipelineDef& def, const DescriptorLookup& plugins,
                             std::vector<DefinitionIssue>& issues);

}  // namespace ferry::core::pipeline_internal
