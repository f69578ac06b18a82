// Descriptor and entry point of the generator plugin.
#include <ferry/plugin.hpp>

#include "generator_source.h"

namespace {

const FerryOptionSpec kOptions[] = {
    {"count", FERRY_OPTION_INT, 0, "1000000", "Rows over all partitions."},
    {"partitions", FERRY_OPTION_INT, 0, "1",
     "Partitions p0..p<n-1>; rows are split evenly, the first ones getting one more."},
    {"fields", FERRY_OPTION_INT, 0, "4",
     "Fields per row: id INT64, then cycling name STRING, amount DOUBLE, ts TIMESTAMP."},
    {"seed", FERRY_OPTION_INT, 0, "0",
     "Changes the derived values deterministically; 0 gives name-<id>, id*0.25 and "
     "1700000000000000 + id*1000 us."},
    {"key", FERRY_OPTION_BOOL, 0, "true", "Set the record key to the id as text."},
};

const FerryKindSpec kKinds[] = {
    {FERRY_KIND_SOURCE, 0,
     "Deterministic synthetic rows for tests and benchmarks; position = last id emitted.", kOptions,
     FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("generator", "1.0.0", "Synthetic rows for tests and benchmarks", kKinds)
FERRY_PLUGIN(ferry_generator::GeneratorSource)
