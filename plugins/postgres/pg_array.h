// JSON arrays -> PostgreSQL array literals, so that an array read by the
// source (as JSON) can be written back into an array column.
#ifndef FERRY_PLUGINS_POSTGRES_PG_ARRAY_H_
#define FERRY_PLUGINS_POSTGRES_PG_ARRAY_H_

#include <string>
#include <string_view>

namespace ferry_pg {

// [1, 2.50, null, "a\"b", [true]] -> {1,2.50,NULL,"a\"b",{true}}.
// Numbers keep their exact text (no double rounding: numeric[] survives);
// strings are decoded from JSON and quoted for the array literal; objects
// are kept as JSON text (for json[] / jsonb[]). False if `json` is not an
// array or not valid JSON.
bool json_array_to_pg(std::string_view json, std::string* out);

}  // namespace ferry_pg

#endif  // FERRY_PLUGINS_POSTGRES_PG_ARRAY_H_
