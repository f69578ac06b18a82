// What every SQL sink refuses of a single record, in the same words: an op
// it does not know, a delete it cannot apply, a key it cannot match. Each
// is one record's fault, reported as that record's outcome, so the host
// need not bisect the batch to find it.
#pragma once

#include <ferry/plugin.hpp>

#include <optional>
#include <string>
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

}  // namespace ferry::support
