// Reading the host-owned parts of a definition: typed members that report a
// wrong type or range at their JSON Pointer and let parsing go on, so that
// one run lists every mistake.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "pipeline/definition.h"

namespace ferry::core::pipeline_internal {

using Issues = std::vector<DefinitionIssue>;

// "string", "number", "boolean", "null", "array", "object".
std::string json_kind_name(const boost::json::value& v);
// "expected string, got number".
std::string type_mismatch(std::string_view expected, const boost::json::value& got);
// Boost reads a whole number beyond 64 bits (99999999999999999999999, 1e25)
// as a double: an integer out of range, not a decimal. Its shortest text
// ("1e+23") then; nothing for any other value.
std::optional<std::string> wide_integer_text(const boost::json::value& v);

std::string join_names(const std::vector<std::string>& names);
// The name closest to `word` by edit distance, when close enough to be a typo.
std::optional<std::string> closest_name(std::string_view word, const std::vector<std::string>& names);

// Reports every key of `object` not in `known` as "unknown key 'x'".
void check_known_keys(const boost::json::object& object, const std::string& path,
                      const std::vector<std::string>& known, Issues& issues);

// The member as an object; reports a wrong type. nullptr when absent or wrong.
const boost::json::object* member_object(const boost::json::object& parent, std::string_view key,
                                         const std::string& parent_path, Issues& issues);
std::optional<std::string> member_string(const boost::json::object& parent, std::string_view key,
                                         const std::string& parent_path, Issues& issues);
std::optional<bool> member_bool(const boost::json::object& parent, std::string_view key,
                                const std::string& parent_path, Issues& issues);
// A JSON integer within [min, max]; a number written with a fraction or an
// exponent is refused, because "1e3" records is more likely a slip than intent.
std::optional<uint64_t> member_uint(const boost::json::object& parent, std::string_view key,
                                    const std::string& parent_path, uint64_t min, uint64_t max,
                                    Issues& issues);
std::optional<double> member_number(const boost::json::object& parent, std::string_view key,
                                    const std::string& parent_path, double min, double max, Issues& issues);

void missing_key(std::string_view key, const std::string& parent_path, Issues& issues);

}  // namespace ferry::core::pipeline_internal
