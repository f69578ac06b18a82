// How a value reads in a message, the one way every bundled plugin shows
// it: a rejection ("amount -3 is below 0"), a failed cast. Not a storage
// format: each sink keeps the text its target wants.
#pragma once

#include <ferry/plugin.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ferry::support {

// Shortest text that reads back as the same double ("0.1", "1e+20"); "nan",
// "inf", "-inf" for the values that have no number.
std::string double_text(double v);

// "YYYY-MM-DDTHH:MM:SSZ", with ".ffffff" when the microseconds are not zero;
// a year outside 0000-9999 signed ("+10000", "-0001").
std::string iso_timestamp(int64_t micros);

// A short, single-line rendering: null, true/false, numbers, timestamps as
// ISO-8601 UTC, decimals as written, strings JSON-quoted, strings and JSON
// cut after 64 characters (on a character boundary, "..." added: the DLQ
// keeps the whole record, a message only has to point), bytes as their
// count.
std::string display_value(const FerryValue& v);

// The reasons one row broke, in one message: "a; b; c".
std::string join_reasons(const std::vector<std::string>& reasons);

}  // namespace ferry::support
