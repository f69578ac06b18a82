// Opens the state store a pipeline definition asks for.
#pragma once

#include <memory>

#include "pipeline/definition.h"
#include "state/state_store.h"

namespace ferry::core {

// `check`: how thoroughly a state file is checked (a command that writes
// asks for SQLite's integrity check).
std::unique_ptr<StateStore> open_state_store(const StateDef& def, StateCheck check = StateCheck::Quick);

}  // namespace ferry::core
