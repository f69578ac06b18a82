// What every SQL sink refuses of a single record, in the same words: an op
// it does not know, a delete it cannot apply, a key it cannot match, a
// value its column would round or cut without an error. Each
// is one record's fault, reported as that record's outcome, so the host
// need not bisect the batch to find it.
#pragma once

#include <ferry/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::support {

// Why a record with this op cannot be applied (in append mode a delete
// cannot), or nothing.
std::optional<std::string> refused_op(FerryOp op, bool upsert);

// "key column <name> is null" for the first of `key_fields` (batch field
// indexes) whose value in `row` is null, or nothing; the name quoted with
// `quote` as the sink's SQL quotes it.
std::optional<std::string> null_key(const ferry::BatchView& batch, size_t row, const std::vector<size_t>& key_fields,
                                    char quote);

// What an existing column keeps of a value, where it keeps less than Ferry
// has; -1 where it keeps all. Read from the table's declared types.
struct ColumnLimits {
  int fraction_digits = -1;  // timestamp(p), datetime(p), time(p): p < 6
  int64_t max_chars = -1;    // varchar(n) (not char(n): it pads and trims spaces by definition)
};

// Why `v` would not be stored as it is in a column with these limits (the
// server rounds a timestamp to the column's precision; it cuts the trailing
// spaces that overflow a varchar(n) where a longer value is an error), or
// nothing. `field` and `column` are named quoted with `quote`.
std::optional<std::string> narrowed_value(const FerryValue& v, const ColumnLimits& limits, std::string_view field,
                                          char quote);

}  // namespace ferry::support
