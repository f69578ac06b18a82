// Parses times given on the command line: "2026-11-21", "2026-11-21T09:30:00Z"
// (UTC; an offset like +02:00 is honoured) or unix milliseconds.
#pragma once

#include <cstdint>
#include <string>

namespace ferry::cli {

// Unix milliseconds; throws UsageError naming `option` and the text when it
// is not a time (also an impossible date such as 2026-02-30).
int64_t parse_time_arg(const std::string& text, const std::string& option);

}  // namespace ferry::cli
