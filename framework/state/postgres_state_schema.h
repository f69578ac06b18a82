// Creating and migrating the PostgreSQL state store's tables.
#pragma once

#include "state/postgres_db.h"

namespace ferry::core::pg_state {

// Brings the database to this version's schema in one transaction; throws
// Error for a database of a newer Ferry.
void ensure_schema(Connection& c);

}  // namespace ferry::core::pg_state
