// SQLSTATE -> Ferry status, for every part of Ferry that talks to
// PostgreSQL (the postgres plugin, the SQL hooks). The caller classifies; the
// host decides what to do with RETRY (backoff), INVALID_DATA (bisect, DLQ)
// and the fatal kinds.
#pragma once

#include <ferry/plugin.h>

#include <string_view>

namespace ferry::support {

// `connection_lost`: libpq reports the connection as bad; whatever the
// SQLSTATE, the statement may be retried on a new connection. A `sqlstate`
// that is not five characters is a client-side failure (FERRY_ERROR_IO).
FerryStatus status_of_sqlstate(std::string_view sqlstate, bool connection_lost);

}  // namespace ferry::support
