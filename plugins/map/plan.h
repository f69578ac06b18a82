// The output layout of one batch: which value each output field takes and
// how. Built per batch, because a source may change its schema mid-stream.
#ifndef FERRY_PLUGINS_MAP_PLAN_H_
#define FERRY_PLUGINS_MAP_PLAN_H_

#include <ferry/plugin.hpp>

#include <optional>
#include <string>
#include <vector>

#include "options.h"

namespace ferry_map {

// Where a value comes from, before any cast.
struct Source {
  enum class Kind { kInput, kConstant, kTemplate, kMissing };
  Kind kind = Kind::kInput;
  size_t index = 0;  // kInput: schema field; kConstant / kTemplate: Options::add entry
  // kTemplate: per piece, the source of a field piece (index into
  // Plan::sources) or nullopt for literals and missing fields.
  std::vector<std::optional<size_t>> pieces;
  std::string missing;  // kMissing: the absent field `from` names
};

struct OutputField {
  std::string name;
  FerryType type = FERRY_TYPE_NULL;
  uint32_t flags = FERRY_FIELD_NULLABLE;
  size_t source = 0;      // index into Plan::sources
  std::string origin;     // the field's name before rename: rejection messages name it
  std::optional<Target> cast;
};

struct Plan {
  std::vector<Source> sources;  // append-only: fields refer to them by index
  std::vector<OutputField> fields;
};

// Applies add, cast, rename, drop and keep, in that order, to the batch's
// schema. Operations on absent fields are skipped. Throws
// ferry::Error(FERRY_ERROR_CONFIG) if a rename lands on an existing field.
Plan make_plan(const Options& opts, const ferry::BatchView& in);

}  // namespace ferry_map

#endif  // FERRY_PLUGINS_MAP_PLAN_H_
