// Rows as JSON, for the dead-letter queue and hooks: the record keeps its
// schema so that replay can rebuild it with the same types.
//   {"schema":[{"name":"id","type":"int64"},...],"values":{"id":7,...}}
// (with "json_values":"text" when it has JSON fields)
#pragma once

#include <string>

#include <ferry/plugin.h>
#include <ferry/plugin.hpp>

namespace ferry::core {

using ferry::type_name;  // the names the schema uses
// JSON values are kept as their text, in strings, and the record says so
// ("json_values":"text"); without it (records of earlier versions) they
// stand parsed, in place.
inline constexpr const char* kJsonValuesKey = "json_values";
inline constexpr const char* kJsonValuesAsText = "text";
std::string row_to_json(const FerryBatch& batch, size_t row);
// A record the source could not parse: {"raw":"<text>"}, or
// {"raw_base64":"<bytes>"} when it is not UTF-8.
std::string raw_record_json(FerryBytes payload);

}  // namespace ferry::core
