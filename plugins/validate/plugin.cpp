// Descriptor and entry point of the validate transform plugin.
#include <ferry/plugin.hpp>

#include "validate_transform.h"

namespace {

const FerryOptionSpec kOptions[] = {
    {"rules", FERRY_OPTION_OBJECT, FERRY_OPTION_REQUIRED, nullptr,
     "Field name -> rules: required (bool), type (int64|double|number|string|bool|timestamp|"
     "json|bytes|decimal), min, max (numbers), min_length, max_length (characters), pattern "
     "(ECMAScript regex, searched), allowed (array of values)."},
    {"on_unknown_field", FERRY_OPTION_STRING, 0, "\"pass\"",
     "\"pass\" lets fields without rules through; \"reject\" rejects rows with a non-null value "
     "in such a field."},
};

const FerryKindSpec kKinds[] = {
    {FERRY_KIND_TRANSFORM, 0,
     "Rejects rows that break declarative field rules (to the DLQ, naming every broken rule); "
     "passes the others unchanged.",
     kOptions, FERRY_COUNT_OF(kOptions)},
};

}  // namespace

FERRY_PLUGIN_DESCRIPTOR("validate", "1.0.0", "Declarative row validation", kKinds)
FERRY_PLUGIN(ferry_validate::ValidateTransform)
