// Rows as JSON, for the dead-letter queue and hooks: the record keeps its
// schema so that replay can rebuild it with the same types.
//   {"schema":[{"name":"id","type":"int64"},...],"values":{"id":7,...}}
#pragma once

#include <string>

#include <ferry/plugin.h>
#include <ferry/plugin.hpp>

namespace ferry::core {

using ferry::type_name;  // the names the schema uses
std::string row_to_json(const FerryBatch& batch, size_t row);
// A record the source could not parse: {"raw":"<text>"}, or
// {"raw_base64":"<bytes>"} when it is not UTF-8.
std::string raw_record_json(FerryBytes payload);

}  // namespace ferry::core
