// Opens the state store a pipeline definition asks for.
#pragma once

#include <memory>

#include "pipeline/definition.h"
#include "state/state_store.h"

namespace ferry::core {

std::unique_ptr<StateStore> open_state_store(const StateDef& def);

}  // namespace ferry::core
