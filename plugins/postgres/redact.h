// Secret scrubbing comes from the SDK (ferry/redact.hpp), shared with the
// host and the SQL hooks.
#ifndef FERRY_PLUGINS_POSTGRES_REDACT_H_
#define FERRY_PLUGINS_POSTGRES_REDACT_H_

#include <ferry/redact.hpp>

namespace ferry_pg {
using ferry::redact;
using ferry::redact_dsn;
}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_REDACT_H_
