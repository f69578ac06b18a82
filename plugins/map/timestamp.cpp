#include "timestamp.h"

#include "time/timestamp_parse.h"

namespace ferry_map {

std::optional<int64_t> parse_timestamp(std::string_view text) {
  ferry::support::TimestampGrammar grammar;
  grammar.zone_required = true;
  grammar.seconds_required = true;
  grammar.date_only = false;
  grammar.expanded_years = false;
  return ferry::support::parse_iso_timestamp(text, grammar);
}

}  // namespace ferry_map
