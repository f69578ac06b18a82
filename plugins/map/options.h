// Options of the map transform, from the typed options the host checked.
#ifndef FERRY_PLUGINS_MAP_OPTIONS_H_
#define FERRY_PLUGINS_MAP_OPTIONS_H_

#include <ferry/plugin.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cast.h"
#include "template.h"

namespace ferry {
class Context;
}

namespace ferry_map {

// A JSON constant as a value: objects and arrays become JSON text.
struct Constant {
  FerryType type = FERRY_TYPE_NULL;
  int64_t i64 = 0;
  double f64 = 0;
  bool boolean = false;
  std::string text;  // STRING or JSON
};

enum class AddKind { kValue, kFrom, kTemplate };

struct Addition {
  std::string name;
  AddKind kind = AddKind::kValue;
  Constant constant;                     // kValue
  std::string from;                      // kFrom
  std::vector<TemplatePiece> pieces;     // kTemplate
};

struct CastSpec {
  std::string field;
  Target target;
};

// Applied in this order: add, cast, rename, drop, keep.
struct Options {
  std::vector<Addition> add;
  std::vector<CastSpec> cast;
  std::vector<std::pair<std::string, std::string>> rename;  // old -> new, all at once
  std::vector<std::string> drop;
  std::optional<std::vector<std::string>> keep;
};

// Throws ferry::Error(FERRY_ERROR_CONFIG) naming the option and field.
Options parse_options(const ferry::Context& ctx);

}  // namespace ferry_map

#endif  // FERRY_PLUGINS_MAP_OPTIONS_H_
