// ISO-8601 timestamps <-> microseconds since 1970 UTC.
#ifndef FERRY_PLUGINS_MAP_TIMESTAMP_H_
#define FERRY_PLUGINS_MAP_TIMESTAMP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "text/value_text.h"

namespace ferry_map {

// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm|±hhmm|±hh)" ('T' may be
// 't' or a space; 'Z' may be 'z'). The offset is required: guessing a time
// zone would shift data silently. Fractions beyond microseconds are
// truncated; a leap second is refused.
std::optional<int64_t> parse_timestamp(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ", with ".ffffff" when the microseconds are not zero
// (support/text).
inline std::string format_timestamp(int64_t micros) { return ferry::support::iso_timestamp(micros); }

}  // namespace ferry_map

#endif  // FERRY_PLUGINS_MAP_TIMESTAMP_H_
