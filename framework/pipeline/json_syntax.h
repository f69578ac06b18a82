// Strict JSON parsing for definition files. Boost.JSON reports only an error
// code; this adds the line and column of the failure, a hint of what was
// expected there, and rejects duplicate keys (which Boost silently resolves
// to the last one, hiding a mistake such as two "sinks" arrays).
#pragma once

#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "pipeline/definition.h"

namespace ferry::core::pipeline_internal {

// Parses `text` as one JSON document. On a syntax error appends one issue
// whose path is "line L, column C" and returns null. Duplicate keys are
// appended as issues too, but the value is still returned (last key wins),
// so that later checks can report more in the same run.
boost::json::value parse_json_document(std::string_view text, std::vector<DefinitionIssue>& issues);

// "line L, column C" of a byte offset; columns count UTF-8 characters.
std::string line_column(std::string_view text, std::size_t offset);

}  // namespace ferry::core::pipeline_internal
