// Descriptor and entry point of the map transform plugin.
#include <ferry/plugin.hpp>

#include "map_transform.h"

namespace {

const FerryOptionSpec kOptions[] = {
    {"add", FERRY_OPTION_OBJECT, 0, nullptr,
     "Field name -> {\"value\": constant} | {\"from\": \"field\"} | {\"template\": "
     "\"text {field} text\"}. Applied first; an existing name is replaced in place."},
    {"cast", FERRY_OPTION_OBJECT, 0, nullptr,
     "Field name -> int64|double|string|bool|timestamp|json|decimal. A value that does not "
     "convert losslessly rejects its row."},
    {"rename", FERRY_OPTION_OBJECT, 0, nullptr, "Old name -> new name, all at once."},
    {"drop", FERRY_OPTION_ARRAY, 0, nullptr, "Fields to remove (names after rename)."},
    {"keep", FERRY_OPTION_ARRAY, 0, nullptr,
     "If set, only these fields, in this order (names after rename); applied last."},
};

const FerryKindSpec kKinds[] = {
    {FERRY_KIND_TRANSFORM, 0,
     "Reshapes rows: add, cast, rename, drop, keep, in that order. Absent fields are skipped; "
     "failed casts and templates reject the row.",
     kOptions, FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("map", "1.0.0", "Field mapping: rename, drop, add, cast", kKinds)
FERRY_PLUGIN(ferry_map::MapTransform)
