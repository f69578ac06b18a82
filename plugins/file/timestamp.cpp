#include "timestamp.h"

#include "time/timestamp_parse.h"
#include "time/timestamp_text.h"

namespace ferry_file {

std::optional<int64_t> parse_timestamp(std::string_view s) { return ferry::support::parse_iso_timestamp(s); }

void append_timestamp(std::string& out, int64_t micros) { ferry::support::append_iso_timestamp(out, micros); }

}  // namespace ferry_file
