// SQLSTATE -> Ferry status. The plugin classifies; the host decides what to
// do with RETRY (backoff), INVALID_DATA (bisect, DLQ) and the fatal kinds.
#ifndef FERRY_PLUGINS_POSTGRES_CLASSIFY_H_
#define FERRY_PLUGINS_POSTGRES_CLASSIFY_H_

#include <ferry/plugin.h>

#include <string_view>

namespace ferry_pg {

// `connection_lost`: libpq reports the connection as bad; whatever the
// SQLSTATE, the statement may be retried on a new connection.
FerryStatus classify(std::string_view sqlstate, bool connection_lost);

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_CLASSIFY_H_
