// Casting one value to a target type, losslessly or not at all.
#ifndef FERRY_PLUGINS_MAP_CAST_H_
#define FERRY_PLUGINS_MAP_CAST_H_

#include <ferry/plugin.h>

#include <optional>
#include <string>
#include <string_view>

namespace ferry_map {

enum class Target { kInt64, kDouble, kString, kBool, kTimestamp, kJson, kDecimal };

std::optional<Target> target_named(std::string_view name);
const char* target_name(Target t);
FerryType target_type(Target t);
// "int64, double, ..." for config errors.
const char* target_list();

struct CastResult {
  FerryValue value{};  // text values point into the caller's storage or the input
  std::string error;   // empty on success: "\"abc\" is not an integer"
};

// Nulls stay null. Text (string, decimal, json) is parsed after trimming
// ASCII white space; a cast that would lose information (3.5 -> int64,
// 2 -> bool) fails instead of rounding.
CastResult cast_value(const FerryValue& v, Target target, std::string& storage);

}  // namespace ferry_map

#endif  // FERRY_PLUGINS_MAP_CAST_H_
