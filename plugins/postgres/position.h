// Source positions and record keys: the cursor values of a row as a JSON
// array of their text forms, e.g. ["2024-01-01 00:00:00+00","42"]. Text
// forms round-trip exactly (UTC timestamps, shortest-exact floats), so the
// next query resumes right after the row.
#ifndef FERRY_PLUGINS_POSTGRES_POSITION_H_
#define FERRY_PLUGINS_POSTGRES_POSITION_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry_pg {

// Appends the JSON array of `values` to `out`.
void append_position(std::string& out, const std::vector<std::string_view>& values);

// The values of a position with exactly `count` entries; nullopt otherwise.
std::optional<std::vector<std::string>> parse_position(std::string_view text, size_t count);

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_POSITION_H_
