#include "state/open_state.h"

#include "common/error.h"

namespace ferry::core {

std::unique_ptr<StateStore> open_state_store(const StateDef& def, StateCheck check) {
  switch (def.kind) {
    case StateKind::Sqlite: return open_sqlite_state(def.path.string(), check);
    case StateKind::Memory: return open_memory_state();
    case StateKind::Postgres: return open_postgres_state(def.dsn);
  }
  throw Error("unknown state store kind");
}

}  // namespace ferry::core
