// Whether an upsert batch can be merged as it is staged, without first
// keeping the last record per key (DISTINCT ON: a sort of the staged rows
// per batch, which spills to disk at the default work_mem with 50,000 rows
// and cost about a tenth of the merge).
//
// That holds when the keys strictly ascend: each key comes once, and the
// merge takes its row locks in key order as DISTINCT ON's sort had it do,
// so two upserts into one table still lock in the same order. Sources that
// read by key (the postgres source by its cursor, files written in key
// order) give such batches; others are sorted by the server as before.
//
// Only where Ferry's comparison of keys is the server's: every key column
// is an integer column and every row holds an integer there. Text may
// compare equal under a collation, numeric 1.0 equals 1.00, citext ignores
// case: such keys always go through DISTINCT ON.
#ifndef FERRY_PLUGINS_POSTGRES_UPSERT_KEYS_H_
#define FERRY_PLUGINS_POSTGRES_UPSERT_KEYS_H_

#include <ferry/plugin.hpp>

#include <cstddef>
#include <vector>

namespace ferry_pg {

// `key_fields`: the batch fields of the key, in key order; `integer_columns`:
// whether the column of each is int2, int4 or int8; `rows`: the rows to
// write, in batch order. True when their keys are integers that strictly
// ascend (compared field by field).
bool integer_keys_ascend(const ferry::BatchView& batch, const std::vector<size_t>& key_fields,
                         const std::vector<bool>& integer_columns, const std::vector<size_t>& rows);

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_UPSERT_KEYS_H_
