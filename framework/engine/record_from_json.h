// The way back from the DLQ: records stored as JSON (see record_json.h) are
// rebuilt into batches with their original types, for replay.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ferry/plugin.h>
#include <ferry/plugin.hpp>

namespace ferry::core {

// Views of text the caller keeps while build_batch runs.
struct StoredRecord {
  std::string position;  // becomes the row's position
  std::string_view key;
  std::string_view record_json;
};

// The schema part of a stored record, serialised: records with equal
// signatures can share a batch. Empty when the record has no schema (a raw
// line the source could not parse).
std::string schema_signature(const std::string& record_json);

// Builds one batch from records that share a schema signature. Throws
// ferry::core::Error naming the record that cannot be read back.
void build_batch(const std::vector<StoredRecord>& records, const std::string& partition,
                 const std::string& end_position, FerryBatch* out);

}  // namespace ferry::core
